// burrow web's server over real sockets: what it serves, to whom, and that the
// WebSocket speaks the contract through the real dispatcher.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { MAX_UNREAD_BYTES, startWebServer, type WebServer } from '../../../electron/web/server';
import { createWebServices, type WebServices } from '../../../electron/web/services';
import { okCaller } from '../../support/dispatch';

let dir: string;
let services: WebServices;
let server: WebServer;

function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, path, headers: { Host: `127.0.0.1:${server.port}`, ...headers } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function openWs(headers: Record<string, string>): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

const origin = () => `http://127.0.0.1:${server.port}`;
const closeOf = (ws: WebSocket) =>
  new Promise<{ code: number; reason: string }>((r) => ws.once('close', (code, reason) => r({ code, reason: reason.toString() })));

/** A WebSocket as the page opens it: its own Origin, then the token as the first message; resolves once the server says ready. */
async function signedIn(): Promise<WebSocket> {
  const ws = await openWs({ Origin: origin() });
  const ready = new Promise<void>((resolve, reject) => {
    ws.once('message', (d) => (JSON.parse(d.toString()).type === 'ready' ? resolve() : reject(new Error(`not ready: ${d.toString()}`))));
    ws.once('close', (code, reason) => reject(new Error(`closed ${code} ${reason.toString()}`)));
  });
  ws.send(JSON.stringify({ type: 'hello', token: server.token }));
  await ready;
  return ws;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'burrow-web-'));
  const root = join(dir, 'renderer');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>Burrow</title>');
  writeFileSync(join(root, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(dir, 'secret.txt'), 'not for the web');
  services = await createWebServices({ configDir: join(dir, 'config') });
  server = await startWebServer({ dispatcher: services.dispatcher, hub: services.events, viewers: services.viewers, rootDir: root, signInTimeoutMs: 3000 });
});

afterAll(async () => {
  await server?.close();
  await services?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('burrow web server', () => {
  it('listens on 127.0.0.1 only and prints a URL with the token in its fragment (never sent to a server)', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/#token=${server.token}`);
    expect(server.token.length).toBeGreaterThanOrEqual(32);
  });

  it('serves the page and its assets (no data in them) with the CSP and without any cookie', async () => {
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>Burrow</title>');
    expect(page.headers['set-cookie']).toBeUndefined();
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect((await get('/assets/app.js')).headers['content-type']).toMatch(/javascript/);
    // An old-style ?token= URL is just the page: the server never takes a token over HTTP.
    const old = await get(`/?token=${server.token}`);
    expect(old.status).toBe(200);
    expect(old.headers['set-cookie']).toBeUndefined();
  });

  it('refuses another Host (DNS rebinding) and another Origin', async () => {
    const rebound = await get('/', { Host: `evil.example:${server.port}` });
    expect(rebound.status).toBe(403);
    expect(rebound.body).toBe(`Host 'evil.example:${server.port}' is not this server; open http://127.0.0.1:${server.port}/.\n`);
    expect((await get('/', { Origin: 'http://evil.example' })).status).toBe(403);
    expect((await get('/', { Origin: `http://127.0.0.1:${server.port + 1}` })).status).toBe(403);
  });

  it('does not serve files outside the renderer folder', async () => {
    const r = await get('/../secret.txt');
    expect(r.body).not.toContain('not for the web');
    expect((await get('/%2e%2e/secret.txt')).body).not.toContain('not for the web');
  });

  it('opens a WebSocket only for its own Host and Origin', async () => {
    await expect(openWs({})).rejects.toThrow(/403/);
    await expect(openWs({ Origin: 'http://evil.example' })).rejects.toThrow(/403/);
    await expect(openWs({ Origin: `http://localhost:${server.port + 1}` })).rejects.toThrow(/403/);
    await expect(openWs({ Origin: origin(), Host: `evil.example:${server.port}` })).rejects.toThrow(/403/);
    (await signedIn()).close();
  });

  it('answers nothing before the right token, closes with what to do, and runs nothing sent before it', async () => {
    const wrong = await openWs({ Origin: origin() });
    const got: string[] = [];
    wrong.on('message', (d) => got.push(d.toString()));
    wrong.send(JSON.stringify({ type: 'hello', token: 'x'.repeat(server.token.length) }));
    wrong.send(JSON.stringify({ type: 'invoke', id: 1, channel: 'state.get', input: {} }));
    expect(await closeOf(wrong)).toEqual({ code: 4401, reason: 'The access token is wrong: open the URL that burrow web printed (it ends in #token=...).' });
    expect(got).toEqual([]);

    const early = await openWs({ Origin: origin() });
    early.send(JSON.stringify({ type: 'invoke', id: 1, channel: 'host.add', input: { host: { name: 'sneaked-in', hostname: '127.0.0.1' } } }));
    early.send(JSON.stringify({ type: 'hello', token: server.token }));
    expect(await closeOf(early)).toEqual({ code: 4401, reason: 'Send the access token first: open the URL that burrow web printed (it ends in #token=...).' });
    expect(services.repo.getHost('sneaked-in')).toBeUndefined();

    const silent = await openWs({ Origin: origin() });
    expect(await closeOf(silent)).toEqual({ code: 4401, reason: 'No access token was sent: open the URL that burrow web printed (it ends in #token=...).' });
    expect(services.viewers.count).toBe(0);
  });

  it('carries requests to the real dispatcher and events back', async () => {
    const ws = await signedIn();
    const messages: { type: string; id?: number; result?: { ok: boolean; code?: string; value?: unknown }; event?: string }[] = [];
    ws.on('message', (d) => messages.push(JSON.parse(d.toString())));
    const waitFor = async (pred: (m: (typeof messages)[number]) => boolean) => {
      for (let i = 0; i < 100; i++) {
        const m = messages.find(pred);
        if (m) return m;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`no such message in ${JSON.stringify(messages)}`);
    };
    ws.send(JSON.stringify({ type: 'invoke', id: 1, channel: 'state.get', input: {} }));
    expect((await waitFor((m) => m.id === 1)).result).toMatchObject({ ok: true, value: { hosts: [], forwards: [] } });
    ws.send(JSON.stringify({ type: 'invoke', id: 2, channel: 'forward.start', input: { name: '' } }));
    expect((await waitFor((m) => m.id === 2)).result).toMatchObject({ ok: false, code: 'VALIDATION' });
    ws.send(JSON.stringify({ type: 'invoke', id: 3, channel: 'no.such', input: {} }));
    expect((await waitFor((m) => m.id === 3)).result).toMatchObject({ ok: false, code: 'USAGE' });
    ws.send(JSON.stringify({ type: 'invoke', id: 4, channel: 'host.add', input: { host: { name: 'box', hostname: '127.0.0.1' } } }));
    expect((await waitFor((m) => m.id === 4)).result).toMatchObject({ ok: true });
    expect(await waitFor((m) => m.type === 'event' && m.event === 'profiles')).toBeTruthy();
    ws.close();
  });

  it('closes a client that sends garbage, and keeps serving others', async () => {
    const ws = await signedIn();
    const closed = closeOf(ws);
    ws.send('not json');
    expect((await closed).code).toBe(1003);
    (await signedIn()).close();
  });
});

describe('burrow web: a client that does not read', () => {
  const call = okCaller(() => services);

  it('is cut off once what it has not read passes the limit, and others are served', async () => {
    // state.get answers of about 200 KB: 100 forwards with 2,000-character notes.
    await call('host.add', { host: { name: 'bulk', hostname: '127.0.0.1' } });
    for (let i = 0; i < 100; i++) {
      await call('forward.add', {
        forward: {
          name: `bulk-${i}`,
          kind: 'local',
          listen: { host: '127.0.0.1', port: 20_000 + i },
          target: { host: '127.0.0.1', port: 9 },
          host: 'bulk',
          notes: 'n'.repeat(2000),
        },
      });
    }
    const answerBytes = JSON.stringify(await call('state.get', {})).length;
    expect(answerBytes).toBeGreaterThan(200_000);
    // Enough answers to fill the limit, plus the kernel's socket buffers on both ends, with room to spare.
    const requests = Math.ceil((MAX_UNREAD_BYTES + 64 * 1024 * 1024) / answerBytes);

    const ws = await signedIn();
    expect(services.viewers.count).toBe(1);
    const closed = closeOf(ws);
    let receivedBytes = 0;
    let results = 0;
    ws.on('message', (d) => {
      receivedBytes += (d as Buffer).length;
      if (JSON.parse(d.toString()).type === 'result') results++;
    });
    ws.pause();
    for (let id = 1; id <= requests; id++) ws.send(JSON.stringify({ type: 'invoke', id, channel: 'state.get', input: {} }));
    // The server lets go of it (its close handler ran) while the client still reads nothing.
    await vi.waitFor(() => expect(services.viewers.count).toBe(0), { timeout: 120_000, interval: 100 });

    ws.resume();
    expect((await closed).code).toBe(1006);
    expect(results).toBeLessThan(requests);
    expect(receivedBytes).toBeLessThan(MAX_UNREAD_BYTES + 64 * 1024 * 1024);

    const other = await signedIn();
    const answer = new Promise<{ result: { ok: boolean } }>((r) => other.on('message', (d) => r(JSON.parse(d.toString()))));
    other.send(JSON.stringify({ type: 'invoke', id: 1, channel: 'settings.get', input: {} }));
    expect((await answer).result.ok).toBe(true);
    other.close();
  }, 180_000);
});
