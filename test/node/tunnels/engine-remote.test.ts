// Remote forwards (-R) and Unix socket forwards both ways, through a real sshd.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { TunnelEngine } from '../../../electron/tunnels/engine';
import { parseForwardSpec, type ForwardSpec } from '../../../shared/forward-spec';
import type { BurrowError } from '../../../shared/errors';
import { cleanup, freePort, startSshd, type Sshd } from '../../support/sshd';
import { hostFor } from '../../support/hosts';
import { echoServer, roundTrip, serve, sha256, type TestServer } from '../../support/tcp';
import { boundOf } from '../../../shared/tunnel-state';

let sshd: Sshd;
let echo: TestServer;
let dir: string;
const engines: TunnelEngine[] = [];
const unixServers: net.Server[] = [];

function engine() {
  const e = new TunnelEngine();
  engines.push(e);
  return e;
}

async function start(e: TunnelEngine, id: string, spec: ForwardSpec, s = sshd) {
  e.add(id, hostFor(s), spec);
  return boundOf((await e.start(id)).state)!;
}

function unixEcho(path: string): Promise<void> {
  return new Promise((resolve) => {
    const srv = net.createServer({ allowHalfOpen: true }, (s) => {
      s.on('error', () => undefined);
      s.pipe(s);
    });
    unixServers.push(srv);
    srv.listen(path, () => resolve());
  });
}

beforeAll(async () => {
  sshd = await startSshd();
  echo = await echoServer();
  dir = mkdtempSync(join(tmpdir(), 'burrow-unix-'));
});

afterAll(async () => {
  await Promise.all(engines.map((e) => e.shutdown()));
  unixServers.forEach((s) => s.close());
  await echo.close();
  await cleanup(sshd);
});

describe('remote forwards', () => {
  it('port 0 lets the server pick; the picked port is reported and carries data back here', async () => {
    const e = engine();
    const bound = (await start(e, 'r0', parseForwardSpec('remote', `0:127.0.0.1:${echo.port}`))) as { host: string; port: number };
    expect(bound.host).toBe('localhost');
    expect(bound.port).toBeGreaterThan(0);
    const data = randomBytes(2 * 1024 * 1024);
    const back = await roundTrip(bound.port, data);
    expect(sha256(back)).toBe(sha256(data));
    expect(e.stats().r0).toMatchObject({ totalConnections: 1, bytesOut: data.length, bytesIn: data.length });
  });

  it('routes each incoming channel to the forward bound on exactly that port', async () => {
    const a = await serve((s) => s.end('from A'));
    const b = await serve((s) => s.end('from B'));
    const e = engine();
    const pa = (await start(e, 'ra', parseForwardSpec('remote', `0:127.0.0.1:${a.port}`))) as { port: number };
    const pb = (await start(e, 'rb', parseForwardSpec('remote', `0:127.0.0.1:${b.port}`))) as { port: number };
    expect((await roundTrip(pb.port, Buffer.alloc(0))).toString()).toBe('from B');
    expect((await roundTrip(pa.port, Buffer.alloc(0))).toString()).toBe('from A');
    await a.close();
    await b.close();
  });

  it('-R port:local_socket carries connections to a Unix socket here', async () => {
    const sockPath = join(dir, 'local-echo.sock');
    await unixEcho(sockPath);
    const e = engine();
    const bound = (await start(e, 'rsock', parseForwardSpec('remote', `0:${sockPath}`))) as { port: number };
    expect((await roundTrip(bound.port, Buffer.from('via unix'))).toString()).toBe('via unix');
  });

  it('-R remote_socket:host:hostport makes the server listen on a Unix socket', async () => {
    const remoteSock = join(dir, 'remote-listen.sock');
    const e = engine();
    const bound = await start(e, 'rlisten', parseForwardSpec('remote', `${remoteSock}:127.0.0.1:${echo.port}`));
    expect(bound).toEqual({ path: remoteSock });
    expect((await roundTrip(remoteSock, Buffer.from('to tcp'))).toString()).toBe('to tcp');
  });

  it('a target refusing here is reported per connection; the forward stays up', async () => {
    const closed = await freePort();
    const e = engine();
    const errors: string[] = [];
    e.on('log', (l) => l.level === 'error' && errors.push(`${l.code}: ${l.message}`));
    const bound = (await start(e, 'rref', parseForwardSpec('remote', `0:127.0.0.1:${closed}`))) as { port: number };
    await roundTrip(bound.port, Buffer.from('x')).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 100));
    expect(errors.join('\n')).toMatch(
      new RegExp(`DEST_REFUSED: Connection from 127\\.0\\.0\\.1:\\d+ \\(on the server\\): 127\\.0\\.0\\.1:${closed} refused the connection on this machine`),
    );
    expect(e.get('rref').state).toMatchObject({ state: 'active', destination: { status: 'failing' } });
  });

  it('says when the port is already taken on the server', async () => {
    // The server binds "localhost" on both 127.0.0.1 and ::1: take the port on both.
    const holder = await serve((s) => s.end());
    const holder6 = net.createServer().listen(holder.port, '::1');
    await new Promise((r, j) => holder6.once('listening', r).once('error', j));
    const e = engine();
    e.add('taken', hostFor(sshd), parseForwardSpec('remote', `${holder.port}:127.0.0.1:${echo.port}`));
    const err = (await e.start('taken').catch((x) => x)) as BurrowError;
    expect(err.code).toBe('REMOTE_REFUSED');
    expect(err.message).toBe(
      `The server could not listen on localhost:${holder.port}: port ${holder.port} is already in use on the server. Choose another port, or 0 to let the server pick one.`,
    );
    expect(e.get('taken').state.state).toBe('failed');
    await holder.close();
    holder6.close();
  });

  it('says when the server forbids forwarding (AllowTcpForwarding no)', async () => {
    const locked = await startSshd({ config: ['AllowTcpForwarding no'] });
    try {
      const e = engine();
      e.add('forbidden', hostFor(locked), parseForwardSpec('remote', `${await freePort()}:127.0.0.1:${echo.port}`));
      const err = (await e.start('forbidden').catch((x) => x)) as BurrowError;
      expect(err.code).toBe('REMOTE_REFUSED');
      expect(err.message).toMatch(/forbids forwarding \(AllowTcpForwarding no\)/);
    } finally {
      await cleanup(locked);
    }
  });

  it('AllowTcpForwarding remote: a taken port is said to be in use, not forwarding forbidden (the channel probe is prohibited there)', async () => {
    const remoteOnly = await startSshd({ config: ['AllowTcpForwarding remote'] });
    const holder = await serve((s) => s.end());
    const holder6 = net.createServer().listen(holder.port, '::1');
    await new Promise((r, j) => holder6.once('listening', r).once('error', j));
    try {
      const e = engine();
      e.add('taken-remote-only', hostFor(remoteOnly), parseForwardSpec('remote', `${holder.port}:127.0.0.1:${echo.port}`));
      const err = (await e.start('taken-remote-only').catch((x) => x)) as BurrowError;
      expect(err.code).toBe('REMOTE_REFUSED');
      expect(err.message).toBe(
        `The server could not listen on localhost:${holder.port}: port ${holder.port} is already in use on the server. Choose another port, or 0 to let the server pick one.`,
      );
    } finally {
      await holder.close();
      holder6.close();
      await cleanup(remoteOnly);
    }
  });

  it('AllowTcpForwarding local: -R is said to be forbidden by the server, not a port in use', async () => {
    const localOnly = await startSshd({ config: ['AllowTcpForwarding local'] });
    try {
      const e = engine();
      const port = await freePort();
      e.add('remote-forbidden', hostFor(localOnly), parseForwardSpec('remote', `${port}:127.0.0.1:${echo.port}`));
      const err = (await e.start('remote-forbidden').catch((x) => x)) as BurrowError;
      expect(err.code).toBe('REMOTE_REFUSED');
      expect(err.message).toBe(
        `The server refused to listen on localhost:${port}. Its /etc/ssh/sshd_config may forbid remote forwarding (AllowTcpForwarding no or local, or a PermitListen rule).`,
      );
    } finally {
      await cleanup(localOnly);
    }
  });
});

describe('local forwards with Unix sockets', () => {
  it('-L port:remote_socket reaches a Unix socket on the server', async () => {
    const sockPath = join(dir, 'server-side.sock');
    await unixEcho(sockPath);
    const e = engine();
    e.add('lsock', hostFor(sshd), { kind: 'local', listen: { host: '127.0.0.1', port: 0 }, target: { path: sockPath } });
    const bound = boundOf((await e.start('lsock')).state) as { port: number };
    const data = randomBytes(512 * 1024);
    expect(sha256(await roundTrip(bound.port, data))).toBe(sha256(data));
  });

  it('-L local_socket:host:hostport listens on a Unix socket here', async () => {
    const listenPath = join(dir, 'client-listen.sock');
    const e = engine();
    const bound = await start(e, 'llisten', parseForwardSpec('local', `${listenPath}:127.0.0.1:${echo.port}`));
    expect(bound).toEqual({ path: listenPath });
    expect((await roundTrip(listenPath, Buffer.from('unix in'))).toString()).toBe('unix in');
  });
});
