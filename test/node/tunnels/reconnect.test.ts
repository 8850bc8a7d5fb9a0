// Tunnels that heal themselves: server restarts, frozen servers, stopped forwards,
// and many connections through one forward.
import { afterEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TunnelEngine, type EngineOptions } from '../../../electron/tunnels/engine';
import { backoffDelay, DEFAULT_RECONNECT } from '../../../electron/tunnels/session';
import type { ForwardState } from '../../../electron/tunnels/types';
import { cleanup, freePort, startSshd, type Sshd } from '../../support/sshd';
import { hostFor } from '../../support/hosts';
import { waitState, boundPort } from '../../support/engine-state';
import { echoServer, roundTrip, sha256, type TestServer } from '../../support/tcp';

const FAST: EngineOptions = { reconnect: { baseDelayMs: 200, maxDelayMs: 1000 } };
let sshd: Sshd | undefined;
let echo: TestServer | undefined;
let engine: TunnelEngine | undefined;

afterEach(async () => {
  await engine?.shutdown();
  await echo?.close();
  sshd?.signalAll('SIGCONT');
  await cleanup(sshd);
  engine = sshd = echo = undefined;
});

/** Streams data through the forward until the connection breaks; resolves with bytes sent. */
function streamUntilBroken(port: number): Promise<number> {
  return new Promise((resolve) => {
    let sent = 0;
    const sock = net.connect(port, '127.0.0.1');
    const chunk = randomBytes(64 * 1024);
    sock.on('data', () => undefined);
    const pump = () => {
      while (!sock.destroyed && sock.write(chunk)) sent += chunk.length;
    };
    sock.on('connect', pump);
    sock.on('drain', pump);
    sock.on('error', () => resolve(sent));
    sock.on('close', () => resolve(sent));
  });
}

describe('backoff', () => {
  it('grows exponentially with jitter and stops at the cap', () => {
    const lo = () => 0;
    const hi = () => 0.999999;
    expect(backoffDelay(1, DEFAULT_RECONNECT, lo)).toBe(500);
    expect(backoffDelay(1, DEFAULT_RECONNECT, hi)).toBe(1000);
    expect(backoffDelay(3, DEFAULT_RECONNECT, hi)).toBe(4000);
    expect(backoffDelay(20, DEFAULT_RECONNECT, hi)).toBe(30_000);
    expect(backoffDelay(20, DEFAULT_RECONNECT, lo)).toBe(15_000);
  });
});

describe('reconnect', () => {
  it('comes back after sshd is killed mid-transfer and restarted on the same port; the local port stays bound throughout', async () => {
    sshd = await startSshd();
    echo = await echoServer();
    engine = new TunnelEngine(FAST);
    const port = await freePort();
    engine.add('heal', hostFor(sshd), { kind: 'local', listen: { host: '127.0.0.1', port }, target: { host: '127.0.0.1', port: echo.port } });
    await engine.start('heal');
    const states: ForwardState[] = [];
    engine.on('state', (_id, s) => states.push(s));

    const transfer = streamUntilBroken(port);
    await new Promise((r) => setTimeout(r, 300));
    await sshd.stop();
    expect(await transfer).toBeGreaterThan(0);
    const reconnecting = await waitState(engine, 'heal', (s) => s.state === 'reconnecting', 5000);
    expect(reconnecting.attempt).toBeGreaterThanOrEqual(1);
    expect(reconnecting.nextAttemptAt).toBeGreaterThan(0);
    expect(reconnecting.reason?.message).toBeTruthy();

    // During the outage the port is still ours: binding it fails, connecting succeeds.
    const rebind = await new Promise<string>((resolve) => {
      const s = net
        .createServer()
        .once('error', (e: NodeJS.ErrnoException) => resolve(e.code!))
        .listen(port, '127.0.0.1', () => s.close(() => resolve('bound')));
    });
    expect(rebind).toBe('EADDRINUSE');
    // A connection made during the outage waits for the session and then succeeds.
    const during = roundTrip(port, Buffer.from('made during the outage'));
    await new Promise((r) => setTimeout(r, 400));
    await sshd.restart();
    expect((await during).toString()).toBe('made during the outage');
    await waitState(engine, 'heal', (s) => s.state === 'active', 10_000);
    const data = randomBytes(1024 * 1024);
    expect(sha256(await roundTrip(port, data))).toBe(sha256(data));
    expect(states.map((s) => s.state)).toContain('reconnecting');
    expect(engine.logs('heal').some((l) => /Reconnected/.test(l.message))).toBe(true);
  });

  it('notices a frozen server (SIGSTOP) after interval x (count + 1), as OpenSSH does', async () => {
    sshd = await startSshd();
    echo = await echoServer();
    engine = new TunnelEngine(FAST);
    engine.add('frozen', hostFor(sshd, { serverAliveInterval: 3, serverAliveCountMax: 2 }), {
      kind: 'local',
      listen: { host: '127.0.0.1', port: 0 },
      target: { host: '127.0.0.1', port: echo.port },
    });
    await engine.start('frozen');
    // Freeze the listener and its per-connection children right after login, when
    // keepalive's timer starts: keepalives go out at 3 s and 6 s unanswered, and the
    // check at 9 s gives up (OpenSSH's ssh -N counts the same: test/node/tunnels/keepalive.test.ts).
    sshd.signalAll('SIGSTOP');
    const t0 = Date.now();
    const s = await waitState(engine, 'frozen', (x) => x.state === 'reconnecting', 20_000);
    const took = Date.now() - t0;
    expect(took).toBeGreaterThan(7000);
    expect(took).toBeLessThan(13_000);
    expect(s.reason?.code).toBe('SSH_TIMEOUT');
    expect(s.reason?.message).toMatch(/stopped answering keepalives/);
    sshd.signalAll('SIGCONT');
    await waitState(engine, 'frozen', (x) => x.state === 'active', 10_000);
  });

  it('a forward the person stopped stays stopped when the server comes back', async () => {
    sshd = await startSshd();
    echo = await echoServer();
    engine = new TunnelEngine(FAST);
    const port = await freePort();
    engine.add('stay', hostFor(sshd), { kind: 'local', listen: { host: '127.0.0.1', port }, target: { host: '127.0.0.1', port: echo.port } });
    await engine.start('stay');
    await sshd.stop();
    await waitState(engine, 'stay', (s) => s.state === 'reconnecting', 5000);
    await engine.stop('stay');
    await sshd.restart();
    await new Promise((r) => setTimeout(r, 2000));
    expect(engine.get('stay').state.state).toBe('stopped');
    // Its port was released when it stopped.
    await new Promise<void>((resolve, reject) => {
      const s = net
        .createServer()
        .once('error', reject)
        .listen(port, '127.0.0.1', () => s.close(() => resolve()));
    });
  });

  it('re-requests remote forwards after a reconnect', async () => {
    sshd = await startSshd();
    echo = await echoServer();
    engine = new TunnelEngine(FAST);
    const remotePort = await freePort();
    engine.add('rback', hostFor(sshd), { kind: 'remote', listen: { host: 'localhost', port: remotePort }, target: { host: '127.0.0.1', port: echo.port } });
    await engine.start('rback');
    expect((await roundTrip(remotePort, Buffer.from('before'))).toString()).toBe('before');
    await sshd.stop();
    await waitState(engine, 'rback', (s) => s.state === 'reconnecting', 5000);
    await sshd.restart();
    await waitState(engine, 'rback', (s) => s.state === 'active', 10_000);
    await new Promise((r) => setTimeout(r, 200));
    expect((await roundTrip(remotePort, Buffer.from('after'))).toString()).toBe('after');
  });

  it('reconnectAll() tries at once instead of waiting for the backoff', async () => {
    sshd = await startSshd();
    echo = await echoServer();
    engine = new TunnelEngine({ reconnect: { baseDelayMs: 60_000, maxDelayMs: 60_000 } });
    engine.add('now', hostFor(sshd), { kind: 'local', listen: { host: '127.0.0.1', port: 0 }, target: { host: '127.0.0.1', port: echo.port } });
    await engine.start('now');
    await sshd.stop();
    const s = await waitState(engine, 'now', (x) => x.state === 'reconnecting', 5000);
    expect(s.nextAttemptAt! - Date.now()).toBeGreaterThan(20_000);
    await sshd.restart();
    engine.reconnectAll();
    await waitState(engine, 'now', (x) => x.state === 'active', 5000);
  });

  it('one host dropping does not touch forwards through another', async () => {
    sshd = await startSshd();
    const other = await startSshd();
    echo = await echoServer();
    engine = new TunnelEngine(FAST);
    try {
      engine.add('a', hostFor(sshd), { kind: 'local', listen: { host: '127.0.0.1', port: 0 }, target: { host: '127.0.0.1', port: echo.port } });
      engine.add('b', hostFor(other), { kind: 'local', listen: { host: '127.0.0.1', port: 0 }, target: { host: '127.0.0.1', port: echo.port } });
      await engine.start('a');
      const pb = boundPort(await engine.start('b'));
      await sshd.stop();
      await waitState(engine, 'a', (s) => s.state === 'reconnecting', 5000);
      expect(engine.get('b').state.state).toBe('active');
      expect((await roundTrip(pb, Buffer.from('unaffected'))).toString()).toBe('unaffected');
    } finally {
      await engine.shutdown();
      await cleanup(other);
    }
  });
});

describe('giving up and health', () => {
  it('stops retrying after a few attempts when authentication is refused', async () => {
    sshd = await startSshd();
    echo = await echoServer();
    engine = new TunnelEngine(FAST);
    engine.add('auth', hostFor(sshd), { kind: 'local', listen: { host: '127.0.0.1', port: 0 }, target: { host: '127.0.0.1', port: echo.port } });
    await engine.start('auth');
    await sshd.stop();
    // The key is no longer authorised when the server comes back: that will not heal by retrying.
    writeFileSync(join(sshd.dir, 'authorized_keys'), '');
    await sshd.restart();
    const failed = await waitState(engine, 'auth', (s) => s.state === 'failed', 15_000);
    expect(failed.reason?.code).toBe('AUTH_FAILED');
    expect(failed.reason?.message).toMatch(/Authentication failed for .* Methods tried: publickey/);
    expect(engine.logs('auth').some((l) => l.message.startsWith('Giving up on'))).toBe(true);
  });

  it('a connection made while the session is down waits only so long, then is closed with a logged reason', async () => {
    sshd = await startSshd();
    echo = await echoServer();
    engine = new TunnelEngine({ ...FAST, connectionWaitMs: 500 });
    engine.add('wait', hostFor(sshd), { kind: 'local', listen: { host: '127.0.0.1', port: 0 }, target: { host: '127.0.0.1', port: echo.port } });
    const port = boundPort(await engine.start('wait'));
    await sshd.stop();
    await waitState(engine, 'wait', (s) => s.state === 'reconnecting', 5000);
    const got = await roundTrip(port, Buffer.from('x')).catch(() => Buffer.alloc(0));
    expect(got.length).toBe(0);
    expect(engine.logs('wait').some((l) => /Connection from 127\.0\.0\.1:\d+: .* did not come back within \d+ s/.test(l.message))).toBe(true);
  });

  it('health check opens a channel to the destination and reports the round trip', async () => {
    sshd = await startSshd();
    echo = await echoServer();
    engine = new TunnelEngine();
    engine.add('hc', hostFor(sshd), { kind: 'local', listen: { host: '127.0.0.1', port: 0 }, target: { host: '127.0.0.1', port: echo.port } });
    expect(await engine.healthCheck('hc')).toMatchObject({
      ok: false,
      error: { code: 'SSH_DISCONNECTED', message: "Forward 'hc' is not running; start it first." },
    });
    await engine.start('hc');
    const ok = await engine.healthCheck('hc');
    expect(ok.ok).toBe(true);
    expect(ok.rttMs).toBeGreaterThan(0);
    const closed = await freePort();
    engine.add('hc2', hostFor(sshd), { kind: 'local', listen: { host: '127.0.0.1', port: 0 }, target: { host: '127.0.0.1', port: closed } });
    await engine.start('hc2');
    expect(await engine.healthCheck('hc2')).toMatchObject({ ok: false, error: { code: 'DEST_REFUSED' } });
  });
});

describe('many connections', () => {
  it('1000 connections through one forward, 100 at a time, none lost', async () => {
    sshd = await startSshd();
    echo = await echoServer();
    engine = new TunnelEngine();
    engine.add('k', hostFor(sshd), { kind: 'local', listen: { host: '127.0.0.1', port: 0 }, target: { host: '127.0.0.1', port: echo.port } });
    const port = boundPort(await engine.start('k'));
    let ok = 0;
    for (let batch = 0; batch < 10; batch++) {
      const results = await Promise.all(
        Array.from({ length: 100 }, async (_, i) => {
          const data = Buffer.from(`connection ${batch * 100 + i} `.repeat(50));
          return (await roundTrip(port, data)).equals(data);
        }),
      );
      ok += results.filter(Boolean).length;
    }
    expect(ok).toBe(1000);
    expect(engine.stats().k.totalConnections).toBe(1000);
  }, 60_000);
});
