// burrow web's server over real sockets: what it serves, to whom, and that the
// WebSocket speaks the contract through the real dispatcher.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { cookieName } from '../../electron/web/guard';
import { startWebServer, type WebServer } from '../../electron/web/server';
import { createWebServices, type WebServices } from '../../electron/web/services';

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

const cookie = () => `${cookieName(server.port)}=${server.token}`;
const origin = () => `http://127.0.0.1:${server.port}`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'burrow-web-'));
  const root = join(dir, 'renderer');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>Burrow</title>');
  writeFileSync(join(root, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(dir, 'secret.txt'), 'not for the web');
  services = await createWebServices({ configDir: join(dir, 'config') });
  server = await startWebServer({ dispatcher: services.dispatcher, hub: services.events, viewers: services.viewers, rootDir: root });
});

afterAll(async () => {
  await server?.close();
  await services?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('burrow web server', () => {
  it('listens on 127.0.0.1 only and prints a URL with the token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    expect(server.token.length).toBeGreaterThanOrEqual(32);
  });

  it('serves nothing without the token', async () => {
    const r = await get('/');
    expect(r.status).toBe(401);
    expect(r.body).not.toContain('<title>');
    expect((await get('/assets/app.js')).status).toBe(401);
  });

  it('turns the token into a cookie, then serves the renderer with the CSP', async () => {
    const first = await get(`/?token=${server.token}`);
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/');
    expect(String(first.headers['set-cookie'])).toContain(cookie());
    const page = await get('/', { Cookie: cookie() });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>Burrow</title>');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect((await get('/assets/app.js', { Cookie: cookie() })).headers['content-type']).toMatch(/javascript/);
  });

  it('refuses another Host (DNS rebinding) and another Origin, token or not', async () => {
    expect((await get('/', { Cookie: cookie(), Host: `evil.example:${server.port}` })).status).toBe(403);
    expect((await get(`/?token=${server.token}`, { Host: `attacker.test:${server.port}` })).status).toBe(403);
    expect((await get('/', { Cookie: cookie(), Origin: 'http://evil.example' })).status).toBe(403);
  });

  it('does not serve files outside the renderer folder', async () => {
    const r = await get('/../secret.txt', { Cookie: cookie() });
    expect(r.body).not.toContain('not for the web');
    expect((await get('/%2e%2e/secret.txt', { Cookie: cookie() })).body).not.toContain('not for the web');
  });

  it('accepts a WebSocket only with the cookie and its own Origin', async () => {
    await expect(openWs({ Origin: origin() })).rejects.toThrow(/401/);
    await expect(openWs({ Cookie: cookie() })).rejects.toThrow(/403/);
    await expect(openWs({ Cookie: cookie(), Origin: 'http://evil.example' })).rejects.toThrow(/403/);
    await expect(openWs({ Cookie: cookie(), Origin: origin(), Host: `evil.example:${server.port}` })).rejects.toThrow(/403/);
    const ws = await openWs({ Cookie: cookie(), Origin: origin() });
    ws.close();
  });

  it('carries requests to the real dispatcher and events back', async () => {
    const ws = await openWs({ Cookie: cookie(), Origin: origin() });
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
    const ws = await openWs({ Cookie: cookie(), Origin: origin() });
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    ws.send('not json');
    expect(await closed).toBe(1003);
    const again = await openWs({ Cookie: cookie(), Origin: origin() });
    again.close();
  });
});
