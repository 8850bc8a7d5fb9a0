// Dynamic forwards (-D): the SOCKS proxy through a real OpenSSH sshd, driven by
// curl and by a hand-rolled client that checks the exact reply codes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { TunnelEngine } from '../../../electron/tunnels/engine';
import { readSocksRequest, REP, socks5Status } from '../../../electron/tunnels/socks-protocol';
import { parseForwardSpec, type ForwardSpec } from '../../../shared/forward-spec';
import type { LogEntry } from '../../../electron/tunnels/types';
import { cleanup, freePort, startSshd, type Sshd } from '../../support/sshd';
import { hostFor } from '../../support/hosts';
import { echoServer, sha256, type TestServer } from '../../support/tcp';
import { startFakeServer } from '../../support/ssh2-server';
import { exchange, socks4, socks5 } from '../../support/socks-client';
import { boundPort } from '../../support/engine-state';

let sshd: Sshd;
let limited: Sshd; // PermitOpen: only the echo server
let noForwarding: Sshd; // AllowTcpForwarding no
let echo: TestServer;
let echo6: TestServer;
let web: http.Server;
let webPort: number;
let closedPort: number;
const engines: TunnelEngine[] = [];

const SOCKS4_GRANTED = 0x5a;
const SOCKS4_REJECTED = 0x5b;

function dynamic(extra: Partial<ForwardSpec> = {}): ForwardSpec {
  return { ...parseForwardSpec('dynamic', '127.0.0.1:1'), listen: { host: '127.0.0.1', port: 0 }, ...extra };
}

async function startProxy(server: Sshd, extra: Partial<ForwardSpec> = {}) {
  const engine = new TunnelEngine({ channelTimeoutMs: 5000 });
  engines.push(engine);
  const logs: LogEntry[] = [];
  engine.on('log', (l) => logs.push(l));
  engine.add('socks', hostFor(server), dynamic(extra));
  const info = await engine.start('socks');
  return { engine, logs, port: boundPort(info) };
}

function curl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('curl', ['-sS', '--max-time', '15', ...args], (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  echo = await echoServer();
  echo6 = await echoServer('::1');
  web = http.createServer((req, res) => res.end(`hello from ${req.headers.host} ${req.url}`));
  await new Promise<void>((r) => web.listen(0, '127.0.0.1', () => r()));
  webPort = (web.address() as net.AddressInfo).port;
  closedPort = await freePort();
  [sshd, limited, noForwarding] = await Promise.all([
    startSshd(),
    startSshd({ config: [`PermitOpen 127.0.0.1:${echo.port}`] }),
    startSshd({ config: ['AllowTcpForwarding no'] }),
  ]);
});

afterAll(async () => {
  await Promise.all(engines.map((e) => e.shutdown()));
  await echo.close();
  await echo6.close();
  web.close();
  await Promise.all([cleanup(sshd), cleanup(limited), cleanup(noForwarding)]);
});

describe('-D with curl', () => {
  it('fetches a page through the proxy with the name resolved by the server (socks5h)', async () => {
    const { port, engine } = await startProxy(sshd);
    const r = await curl(['--socks5-hostname', `127.0.0.1:${port}`, `http://localhost:${webPort}/through-socks`]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`hello from localhost:${webPort} /through-socks`);
    expect(engine.stats().socks.totalConnections).toBe(1);
    expect(engine.stats().socks.bytesIn).toBeGreaterThan(0);
  });

  it("reports a name the server cannot resolve, with the server's own words", async () => {
    const { port, logs, engine } = await startProxy(sshd);
    const r = await curl(['--socks5-hostname', `127.0.0.1:${port}`, 'http://burrow-no-such-host.invalid/']);
    expect(r.code).not.toBe(0);
    const err = logs.find((l) => l.code === 'DEST_UNRESOLVED');
    expect(err?.message).toMatch(/could not resolve the name in burrow-no-such-host\.invalid:80.*Names are resolved on the server/);
    expect(engine.get('socks').state).toMatchObject({ state: 'active', destination: { status: 'failing' } });
  });

  it('speaks SOCKS4a to curl', async () => {
    const { port } = await startProxy(sshd);
    const r = await curl(['--socks4a', `127.0.0.1:${port}`, `http://localhost:${webPort}/four-a`]);
    expect(r.stdout).toBe(`hello from localhost:${webPort} /four-a`);
  });

  it('asks curl for the username and password when set, and refuses wrong ones', async () => {
    const { port, logs } = await startProxy(sshd, { socksAuth: { username: 'alice', password: 's3cret' } });
    const ok = await curl(['-x', `socks5h://alice:s3cret@127.0.0.1:${port}`, `http://localhost:${webPort}/auth`]);
    expect(ok.stdout).toBe(`hello from localhost:${webPort} /auth`);
    const bad = await curl(['-x', `socks5h://alice:wrong@127.0.0.1:${port}`, `http://localhost:${webPort}/auth`]);
    expect(bad.code).not.toBe(0);
    expect(bad.stdout).toBe('');
    expect(logs.some((l) => l.level === 'warn' && /SOCKS login refused for user 'alice'/.test(l.message))).toBe(true);
    const none = await curl(['--socks5-hostname', `127.0.0.1:${port}`, `http://localhost:${webPort}/auth`]);
    expect(none.code).not.toBe(0);
  });
});

describe('-D reply codes', () => {
  it('carries data both ways for IPv4, IPv6 and domain-name requests', async () => {
    const { port } = await startProxy(sshd);
    const cases = [
      { dest: { ipv4: '127.0.0.1' }, p: echo.port },
      { dest: { ipv6: '::1' }, p: echo6.port },
      { dest: { domain: 'localhost' }, p: echo.port },
    ] as const;
    for (const c of cases) {
      const r = await socks5(port, c.dest, c.p);
      expect(r.status, JSON.stringify(c.dest)).toBe(REP.SUCCEEDED);
      const data = randomBytes(256 * 1024);
      const back = await exchange(r.sock, data);
      expect(sha256(back)).toBe(sha256(data));
    }
  });

  it('delivers bytes the client sent together with its request', async () => {
    const { port } = await startProxy(sshd);
    const r = await socks5(port, { ipv4: '127.0.0.1' }, echo.port, { early: Buffer.from('early bird ') });
    expect(r.status).toBe(REP.SUCCEEDED);
    expect((await exchange(r.sock, Buffer.from('and the rest'))).toString()).toBe('early bird and the rest');
  });

  it('answers "connection refused" (0x05) when nothing listens at the destination', async () => {
    const { port, logs } = await startProxy(sshd);
    const r = await socks5(port, { ipv4: '127.0.0.1' }, closedPort);
    expect(r.status).toBe(REP.CONNECTION_REFUSED);
    expect(logs.find((l) => l.code === 'DEST_REFUSED')?.message).toMatch(/refused the connection/);
  });

  it('answers "host unreachable" (0x04) for a name the server cannot resolve', async () => {
    const { port } = await startProxy(sshd);
    expect((await socks5(port, { domain: 'burrow-no-such-host.invalid' }, 80)).status).toBe(REP.HOST_UNREACHABLE);
  });

  it('answers "not allowed by ruleset" (0x02) when PermitOpen forbids the destination', async () => {
    const { port, logs, engine } = await startProxy(limited);
    const allowed = await socks5(port, { ipv4: '127.0.0.1' }, echo.port);
    expect(allowed.status).toBe(REP.SUCCEEDED);
    expect((await exchange(allowed.sock, Buffer.from('ok'))).toString()).toBe('ok');
    const r = await socks5(port, { ipv4: '127.0.0.1' }, webPort);
    expect(r.status).toBe(REP.NOT_ALLOWED);
    expect(logs.find((l) => l.code === 'DEST_PROHIBITED')?.message).toMatch(/administratively prohibited.*PermitOpen/);
    expect(engine.get('socks').state).toMatchObject({ state: 'active', destination: { status: 'failing' } });
  });

  it('answers 0x02 when the server has AllowTcpForwarding no, and SOCKS4 gets "rejected"', async () => {
    const { port } = await startProxy(noForwarding);
    expect((await socks5(port, { domain: 'localhost' }, echo.port)).status).toBe(REP.NOT_ALLOWED);
    expect((await socks4(port, { ipv4: '127.0.0.1' }, echo.port)).status).toBe(SOCKS4_REJECTED);
  });

  it('answers "host unreachable" (0x04) when the server never answers the channel open', async () => {
    // sshd always answers; an in-process server that ignores the request stands in for a black hole.
    const silent = await startFakeServer({ tcpip: () => undefined });
    const engine = new TunnelEngine({ channelTimeoutMs: 300 });
    engines.push(engine);
    const logs: LogEntry[] = [];
    engine.on('log', (l) => logs.push(l));
    engine.add('socks', { ...hostFor(sshd), port: silent.port, knownHostsFiles: [silent.knownHosts] }, dynamic());
    try {
      const port = boundPort(await engine.start('socks'));
      expect((await socks5(port, { domain: 'db.internal' }, 5432)).status).toBe(REP.HOST_UNREACHABLE);
      expect(logs.find((l) => l.code === 'DEST_TIMEOUT')?.message).toMatch(/Connecting to db\.internal:5432 through .* timed out/);
    } finally {
      await engine.shutdown();
      await silent.close();
    }
  });

  it('speaks SOCKS4 and SOCKS4a', async () => {
    const { port } = await startProxy(sshd);
    const four = await socks4(port, { ipv4: '127.0.0.1' }, echo.port);
    expect(four.status).toBe(SOCKS4_GRANTED);
    expect((await exchange(four.sock, Buffer.from('four'))).toString()).toBe('four');
    const fourA = await socks4(port, { domain: 'localhost' }, echo.port);
    expect(fourA.status).toBe(SOCKS4_GRANTED);
    expect((await exchange(fourA.sock, Buffer.from('four-a'))).toString()).toBe('four-a');
    expect((await socks4(port, { ipv4: '127.0.0.1' }, closedPort)).status).toBe(SOCKS4_REJECTED);
  });

  it('refuses commands other than CONNECT (0x07) and keeps serving', async () => {
    const { port, logs } = await startProxy(sshd);
    expect((await socks5(port, { ipv4: '127.0.0.1' }, echo.port, { command: 0x02 })).status).toBe(REP.COMMAND_NOT_SUPPORTED);
    expect(logs.some((l) => /command BIND is not supported; only CONNECT is/.test(l.message))).toBe(true);
    expect((await socks5(port, { ipv4: '127.0.0.1' }, echo.port)).status).toBe(REP.SUCCEEDED);
  });

  it('with a password: RFC 1929 login, wrong password refused, no-auth clients and SOCKS4 refused', async () => {
    const auth = { username: 'alice', password: 's3cret' };
    const { port, logs } = await startProxy(sshd, { socksAuth: auth });
    const ok = await socks5(port, { ipv4: '127.0.0.1' }, echo.port, { auth });
    expect(ok).toMatchObject({ method: 0x02, authStatus: 0, status: REP.SUCCEEDED });
    expect((await exchange(ok.sock, Buffer.from('in'))).toString()).toBe('in');
    expect(await socks5(port, { ipv4: '127.0.0.1' }, echo.port, { auth: { ...auth, password: 'nope' } })).toMatchObject({ method: 0x02, authStatus: 1 });
    expect(await socks5(port, { ipv4: '127.0.0.1' }, echo.port, { methods: [0x00] })).toMatchObject({ method: 0xff });
    expect((await socks4(port, { ipv4: '127.0.0.1' }, echo.port)).status).toBe(SOCKS4_REJECTED);
    expect(logs.some((l) => /only SOCKS5 carries/.test(l.message))).toBe(true);
  });

  it('a login whose password is not known yet (password null) refuses everyone, even an empty password', async () => {
    const { port } = await startProxy(sshd, { socksAuth: { username: 'alice', password: null } });
    for (const password of ['', 's3cret', '\u0000'.repeat(255)]) {
      expect(await socks5(port, { ipv4: '127.0.0.1' }, echo.port, { auth: { username: 'alice', password } }), JSON.stringify(password)).toMatchObject({
        method: 0x02,
        authStatus: 1,
      });
    }
    expect(await socks5(port, { ipv4: '127.0.0.1' }, echo.port, { methods: [0x00] })).toMatchObject({ method: 0xff });
  });

  it('tells an HTTP client it reached a SOCKS port', async () => {
    const { port, logs } = await startProxy(sshd);
    const r = await curl(['-x', `http://127.0.0.1:${port}`, `http://localhost:${webPort}/`]);
    expect(r.stdout).toMatch(/This is a SOCKS proxy, not an HTTP proxy/);
    expect(logs.some((l) => /an HTTP client connected to the SOCKS port/.test(l.message))).toBe(true);
  });
});

describe('SOCKS handshake parsing', () => {
  it('reads a request split across many small writes', async () => {
    const got = new Promise<unknown>((resolve) => {
      const srv = net.createServer({ pauseOnConnect: true }, (s) => {
        s.on('error', () => undefined);
        readSocksRequest(s, { timeoutMs: 5000 }).then((req) => {
          s.destroy();
          srv.close();
          resolve(req);
        }, resolve);
      });
      srv.listen(0, '127.0.0.1', async () => {
        const c = net.connect((srv.address() as net.AddressInfo).port, '127.0.0.1');
        c.on('error', () => undefined);
        c.on('data', () => undefined);
        const bytes = [0x05, 0x01, 0x00, 0x05, 0x01, 0x00, 0x03, 9, ...Buffer.from('localhost'), 0x1f, 0x90];
        for (const b of bytes) {
          c.write(Buffer.from([b]));
          await new Promise((r) => setImmediate(r));
        }
      });
    });
    expect(await got).toEqual({ version: 5, target: { host: 'localhost', port: 8080 } });
  });

  it('maps each engine error code to its SOCKS5 status', () => {
    expect(socks5Status('DEST_PROHIBITED')).toBe(0x02);
    expect(socks5Status('DEST_REFUSED')).toBe(0x05);
    expect(socks5Status('DEST_UNRESOLVED')).toBe(0x04);
    expect(socks5Status('DEST_TIMEOUT')).toBe(0x04);
    expect(socks5Status('DEST_FAILED', 'connect failed: Network is unreachable')).toBe(0x03);
    expect(socks5Status('DEST_FAILED', 'connect failed: No route to host')).toBe(0x04);
    expect(socks5Status('DEST_FAILED', 'something else')).toBe(0x01);
    expect(socks5Status('SSH_DISCONNECTED')).toBe(0x01);
  });
});
