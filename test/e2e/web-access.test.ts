// Who can drive `burrow web`, tried in real Chromium as an attacker would: a
// page served by another program on another loopback port (in the same
// browser, after the person opened the printed URL), a DNS-rebinding page, and
// pages opened without the token or with a wrong one. The person's own page
// must keep working.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import NodeWebSocket from 'ws';
import { CHROMIUM, CHROMIUM_ARGS, closeAll, dispatchOk, openApp, startWorld, type World } from './harness';
import { eventually, waitForText } from './ui-helpers';

/** Another program's web server on loopback: serves a blank page and records every request it gets. */
interface OtherServer {
  port: number;
  requests: { url: string; headers: http.IncomingHttpHeaders }[];
  close(): Promise<void>;
}

async function otherServer(): Promise<OtherServer> {
  const requests: OtherServer['requests'] = [];
  const server = http.createServer((req, res) => {
    requests.push({ url: req.url ?? '', headers: req.headers });
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end('<!doctype html><title>another program</title>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

/** What a page's WebSocket to `url` got: 'open', each message, then 'close:<code>'. */
const tryWebSocket = (page: Page, url: string, firstMessage: string) =>
  page.evaluate(
    ([url, firstMessage]) =>
      new Promise<string[]>((resolve) => {
        const seen: string[] = [];
        const ws = new WebSocket(url);
        ws.onopen = () => {
          seen.push('open');
          ws.send(firstMessage);
          ws.send(JSON.stringify({ type: 'invoke', id: 1, channel: 'state.get', input: {} }));
        };
        ws.onmessage = (e) => seen.push(`message:${String(e.data).slice(0, 200)}`);
        ws.onclose = (e) => resolve([...seen, `close:${e.code}`]);
        setTimeout(() => resolve([...seen, 'still open after 10 s']), 10_000);
      }),
    [url, firstMessage] as const,
  );

/** A Node WebSocket client that replays the given request headers with this server's own Origin, as a stolen credential would be used. */
function replay(world: World, headers: http.IncomingHttpHeaders): Promise<string[]> {
  const { port } = world.server;
  const forged: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers))
    if (typeof v === 'string' && !['host', 'connection', 'upgrade'].includes(k) && !k.startsWith('sec-')) forged[k] = v;
  return new Promise((resolve) => {
    const seen: string[] = [];
    const ws = new NodeWebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { ...forged, Origin: `http://127.0.0.1:${port}` } });
    ws.on('open', () => {
      seen.push('open');
      ws.send(JSON.stringify({ type: 'invoke', id: 1, channel: 'state.get', input: {} }));
    });
    ws.on('message', (d) => seen.push(`message:${d.toString().slice(0, 200)}`));
    ws.on('unexpected-response', (_req, res) => resolve([...seen, `http:${res.statusCode}`]));
    ws.on('error', () => undefined);
    ws.on('close', (code) => resolve([...seen, `close:${code}`]));
  });
}

let world: World;
let other: OtherServer;
let context: BrowserContext;
let page: Page;
let rebindBrowser: Browser | undefined;

beforeAll(async () => {
  world = await startWorld();
  other = await otherServer();
  ({ context, page } = await openApp(world));
}, 120_000);

afterAll(() => closeAll(context, rebindBrowser, world, other));

describe('burrow web: only the page opened with the printed URL drives it (real Chromium)', () => {
  it("the person's page works, and the token does not stay in the address bar", async () => {
    await dispatchOk(world, 'host.add', { host: { name: 'seen-live', hostname: '127.0.0.1' } });
    await waitForText(page.locator('footer.statusbar'), /\b1 host(?!s)/);
    expect(page.url()).not.toContain(world.server.token);
    await page.reload();
    await waitForText(page.locator('footer.statusbar'), /\b1 host(?!s)/);
  });

  for (const host of ['127.0.0.1', 'localhost']) {
    it(`a page of another program on ${host}:<other port> gets nothing that grants access`, async () => {
      const evil = await context.newPage();
      try {
        await evil.goto(`http://${host}:${other.port}/`);
        other.requests.length = 0;
        const status = await evil.evaluate(() => fetch('/again', { credentials: 'include' }).then((r) => r.status));
        expect(status).toBe(200);
        const sent = other.requests.find((r) => r.url === '/again')!.headers;
        // Nothing the browser sends to another origin may carry the token (cookies are not port-isolated).
        expect(JSON.stringify(sent)).not.toContain(world.server.token);
        // Replayed by a program that forges the Origin: no answer, closed for want of the token.
        const replayed = await replay(world, sent);
        expect(replayed.filter((e) => e.startsWith('message:'))).toEqual([]);
        expect(replayed.at(-1)).toBe('close:4401');

        // Reading burrow web from that page: CORS refuses, and the WebSocket is refused by its Origin.
        const read = await evil.evaluate(
          (url) =>
            fetch(url, { credentials: 'include' }).then(
              (r) => r.text(),
              (e: Error) => `refused: ${e.name}`,
            ),
          `http://127.0.0.1:${world.server.port}/`,
        );
        expect(read).toMatch(/^refused: TypeError/);
        const ws = await tryWebSocket(evil, `ws://127.0.0.1:${world.server.port}/ws`, JSON.stringify({ type: 'hello', token: 'guess' }));
        expect(ws).not.toContain('open');
        expect(ws.at(-1)).toBe('close:1006');
      } finally {
        await evil.close();
      }
    });
  }

  it('a DNS-rebinding page (its name now resolving to 127.0.0.1) is refused by the Host check', async () => {
    const name = 'rebind.test';
    // Chromium's Local Network Access check would already stop this page (other browsers do not have it):
    // switched off here, so that the test reaches burrow web's own Host check.
    const args = [...CHROMIUM_ARGS, `--host-resolver-rules=MAP ${name} 127.0.0.1`, '--disable-features=LocalNetworkAccessChecks'];
    rebindBrowser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args });
    const evil = await rebindBrowser.newPage();
    const origin = `http://${name}:${world.server.port}`;
    // The attacker's page as its own server served it, before the name was rebound; everything after goes to burrow web.
    await evil.route(`${origin}/attack.html`, (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>attacker</title>' }));
    await evil.goto(`${origin}/attack.html`);
    const got = await evil.evaluate(() => fetch('/').then(async (r) => `${r.status} ${await r.text()}`));
    expect(got).toMatch(/^403 Host 'rebind\.test:\d+' is not this server/);
    const ws = await tryWebSocket(evil, `ws://${name}:${world.server.port}/ws`, JSON.stringify({ type: 'hello', token: world.server.token }));
    expect(ws).not.toContain('open');
  });

  it('a page opened without the token says how to get in and shows no data', async () => {
    const bare = await world.browser.newPage();
    try {
      await bare.goto(`http://127.0.0.1:${world.server.port}/`);
      const banner = bare.getByRole('alert').first();
      await waitForText(banner, /open the URL that burrow web printed \(it ends in #token=/);
      await waitForText(bare.locator('footer.statusbar'), /0 forwards · 0 hosts/);
    } finally {
      await bare.close();
    }
  });

  it('a wrong token is refused with a message, and the right one then gets in without a reload', async () => {
    await dispatchOk(world, 'host.add', { host: { name: 'hidden-from-wrong-token', hostname: '127.0.0.1' } });
    const wrong = await world.browser.newPage();
    try {
      await wrong.goto(`http://127.0.0.1:${world.server.port}/#token=not-the-token`);
      await waitForText(wrong.getByRole('alert').first(), /The access token is wrong/);
      await waitForText(wrong.locator('footer.statusbar'), /0 hosts/);
      // Pasting the printed URL into the same tab only changes the fragment: no new page load.
      await wrong.goto(world.server.url);
      await waitForText(wrong.locator('footer.statusbar'), /\b[1-9]\d* host/);
      await eventually('the banner to go', async () => (await wrong.getByRole('alert').count()) === 0);
    } finally {
      await wrong.close();
    }
  });
});
