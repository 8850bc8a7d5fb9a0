// Engine behaviour that was implemented but not pinned by a test: giving up on a
// host key that changed across a reconnect, half-close over -R, backpressure with a
// slow reader, retryNow during a long backoff, and the -D health check (the session's
// round trip, not a guessed destination). Real OpenSSH sshd on loopback.
import { afterEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import net from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TunnelEngine, type EngineOptions } from '../../../electron/tunnels/engine';
import { DEFAULT_RECONNECT } from '../../../electron/tunnels/session';
import type { ForwardSpec } from '../../../shared/forward-spec';
import { cleanup, freePort, startSshd, type Sshd } from '../../support/sshd';
import { hostFor } from '../../support/hosts';
import { waitState, boundPort } from '../../support/engine-state';
import { serve, type TestServer } from '../../support/tcp';

const servers: Sshd[] = [];
const tcp: TestServer[] = [];
const engines: TunnelEngine[] = [];

afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.shutdown()));
  await Promise.all(tcp.splice(0).map((s) => s.close()));
  await Promise.all(servers.splice(0).map((s) => cleanup(s)));
});

async function sshd(opts: Parameters<typeof startSshd>[0] = {}) {
  const s = await startSshd(opts);
  servers.push(s);
  return s;
}

function engine(opts: EngineOptions = {}) {
  const e = new TunnelEngine({ reconnect: { baseDelayMs: 200, maxDelayMs: 800 }, ...opts });
  engines.push(e);
  return e;
}

async function testServer(handler: (s: net.Socket) => void) {
  const s = await serve(handler);
  tcp.push(s);
  return s;
}

const local = (port: number, listen = 0): ForwardSpec => ({ kind: 'local', listen: { host: '127.0.0.1', port: listen }, target: { host: '127.0.0.1', port } });
const portOf = (e: TunnelEngine, id: string) => boundPort(e.get(id));

/** Resolves when nothing listens on 127.0.0.1:port (a bind succeeds). */
function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

describe('a host key that changes across a reconnect', () => {
  it('is not retried forever: the forward fails after the permanent-failure limit with HOSTKEY_CHANGED, and its port is released', async () => {
    const first = await sshd();
    const listenPort = await freePort();
    const e = engine();
    const logs: string[] = [];
    e.on('log', (l) => logs.push(l.message));
    e.add('hk', hostFor(first), local(first.port, listenPort));
    expect((await e.start('hk')).state.state).toBe('active');

    // The server is replaced by one with a new host key, on the same port.
    await first.stop();
    await waitState(e, 'hk', (s) => s.state === 'reconnecting');
    const impostor = await sshd({ port: first.port });
    expect(impostor.hostPublicKey).not.toBe(first.hostPublicKey);

    const failed = await waitState(e, 'hk', (s) => s.state === 'failed', 30_000);
    expect(failed.reason?.code).toBe('HOSTKEY_CHANGED');
    expect(failed.reason?.message).toContain(`host key of [127.0.0.1]:${first.port} has changed`);
    expect(failed.reason?.message).toContain('This could be an attack');
    expect(failed.reason?.message).toContain(`${first.knownHosts} line 1`);
    // As many refused attempts as the limit allows, no more: the last one gives up.
    const refusals = () => logs.filter((m) => m.includes('has changed'));
    expect(refusals()).toHaveLength(DEFAULT_RECONNECT.permanentFailureLimit);
    expect(refusals().at(-1)).toMatch(/^Giving up on /);
    expect(await canBind(listenPort)).toBe(true);
    // And it stays given up: nothing reaches the server any more.
    const connections = () => impostor.log().split('Connection from').length;
    const seen = connections();
    await new Promise((r) => setTimeout(r, 2000));
    expect(connections()).toBe(seen);
    expect(refusals()).toHaveLength(DEFAULT_RECONNECT.permanentFailureLimit);
    expect(e.get('hk').state.state).toBe('failed');
  });
});

describe('half-close over -R', () => {
  it('the client half-closes after sending and still receives the whole reply, sent after the EOF', async () => {
    const s = await sshd();
    // Replies only once it has read everything: the reply follows the client's EOF.
    const dest = await testServer((sock) => {
      const got: Buffer[] = [];
      sock.on('data', (d) => got.push(d));
      sock.on('end', () => {
        const body = Buffer.concat(got);
        setTimeout(() => sock.end(Buffer.concat([Buffer.from(`got ${body.length} bytes: `), body, Buffer.alloc(256 * 1024, 7)])), 50);
      });
    });
    const e = engine();
    e.add('r', hostFor(s), { kind: 'remote', listen: { host: '127.0.0.1', port: 0 }, target: { host: '127.0.0.1', port: dest.port } });
    await e.start('r');
    const remotePort = portOf(e, 'r');

    const reply = await new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      const sock = net.connect({ port: remotePort, host: '127.0.0.1', allowHalfOpen: true });
      sock.on('data', (d) => chunks.push(d));
      sock.on('end', () => {
        sock.end();
        resolve(Buffer.concat(chunks));
      });
      sock.on('error', reject);
      sock.on('connect', () => sock.end(Buffer.from('question')));
    });
    const head = Buffer.from('got 8 bytes: question');
    expect(reply.subarray(0, head.length).toString()).toBe(head.toString());
    expect(reply.length).toBe(head.length + 256 * 1024);
    expect(reply.subarray(head.length).every((b) => b === 7)).toBe(true);
  });
});

describe('backpressure', () => {
  it('256 MiB through -L to a slow reader: memory here stays bounded and every byte arrives intact', async () => {
    const TOTAL = 256 * 1024 * 1024;
    const CHUNK = 256 * 1024;
    const s = await sshd();
    let received = 0;
    const recvHash = createHash('sha256');
    let resolveDone!: () => void;
    const done = new Promise<void>((r) => (resolveDone = r));
    // A slow reader: after each MiB it stops reading for a while.
    const dest = await testServer((sock) => {
      let sincePause = 0;
      sock.on('data', (d: Buffer) => {
        recvHash.update(d);
        received += d.length;
        sincePause += d.length;
        if (sincePause >= 1024 * 1024) {
          sincePause = 0;
          sock.pause();
          setTimeout(() => sock.resume(), 10);
        }
      });
      sock.on('end', () => {
        sock.end();
        resolveDone();
      });
    });
    const e = engine();
    e.add('bp', hostFor(s), local(dest.port));
    await e.start('bp');

    // The sender cycles through 16 different chunks (no garbage of its own to skew the measure) and honours backpressure itself.
    const chunks = Array.from({ length: 16 }, (_, i) =>
      createHash('sha512')
        .update(String(i))
        .digest()
        .toString('hex')
        .repeat(CHUNK / 128)
        .slice(0, CHUNK),
    ).map((t) => Buffer.from(t));
    const MiB = 1024 * 1024;
    const LIMIT = 64 * MiB;
    const base = process.memoryUsage();
    let peakRss = 0;
    let peakAb = 0;
    let overLimit!: (e: Error) => void;
    // Fails at once when memory runs away (without backpressure the engine would hold most of what the reader has not taken yet).
    const blewUp = new Promise<never>((_, reject) => (overLimit = reject));
    const sample = setInterval(() => {
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss - base.rss);
      peakAb = Math.max(peakAb, m.arrayBuffers - base.arrayBuffers);
      if (peakAb > LIMIT || peakRss > LIMIT)
        overLimit(
          new Error(
            `memory grew by ${Math.round(peakAb / MiB)} MiB (buffers), ${Math.round(peakRss / MiB)} MiB (rss) after ${Math.round(received / MiB)} MiB received`,
          ),
        );
    }, 20);

    const sendHash = createHash('sha256');
    const sock = net.connect({ port: portOf(e, 'bp'), host: '127.0.0.1', allowHalfOpen: true });
    sock.on('error', () => undefined);
    sock.on('data', () => undefined);
    const sending = new Promise<void>((resolve) => {
      let sent = 0;
      const pump = () => {
        while (sent < TOTAL) {
          const chunk = chunks[(sent / CHUNK) % chunks.length];
          sendHash.update(chunk);
          sent += CHUNK;
          if (!sock.write(chunk)) return;
        }
        sock.end();
        resolve();
      };
      sock.on('connect', pump);
      sock.on('drain', pump);
    });
    try {
      await Promise.race([sending.then(() => done), blewUp]);
    } finally {
      clearInterval(sample);
      sock.destroy();
    }

    expect(received).toBe(TOTAL);
    expect(recvHash.digest('hex')).toBe(sendHash.digest('hex'));
    expect(peakAb).toBeLessThan(LIMIT);
    expect(peakRss).toBeLessThan(LIMIT);
  }, 240_000);
});

describe('retryNow during a long backoff', () => {
  it('reconnects at once instead of waiting out the countdown', async () => {
    const s = await sshd();
    // 20 s first delay: with jitter the first attempt comes 10 to 20 s after the drop.
    const e = engine({ reconnect: { baseDelayMs: 20_000, maxDelayMs: 20_000 } });
    e.add('slow', hostFor(s), local(s.port));
    await e.start('slow');
    await s.restart();
    const waiting = await waitState(e, 'slow', (st) => st.state === 'reconnecting');
    expect(waiting.nextAttemptAt! - Date.now()).toBeGreaterThan(8_000);

    e.retryNow('slow');
    await waitState(e, 'slow', (st) => st.state === 'active', 20_000);
    // Up again before the first attempt was due.
    expect(Date.now()).toBeLessThan(waiting.nextAttemptAt!);
  }, 60_000);
});

describe('health check of a -D (SOCKS) forward', () => {
  it("measures the SSH session's round trip (a keepalive), not a guessed destination, and says so: it holds behind port mapping", async () => {
    const s = await sshd();
    // Port mapping: the client reaches sshd through another port, which exists only here.
    const mapped = await testServer((client) => {
      const up = net.connect(s.port, '127.0.0.1');
      up.on('error', () => client.destroy());
      client.pipe(up).pipe(client);
    });
    const kh = join(s.dir, 'known_hosts.mapped');
    writeFileSync(kh, `[127.0.0.1]:${mapped.port} ${s.hostPublicKey}\n`);
    const e = engine();
    e.add('d', hostFor(s, { port: mapped.port, knownHostsFiles: [kh] }), { kind: 'dynamic', listen: { host: '127.0.0.1', port: 0 } });
    await e.start('d');
    // The mapped port is gone (on "the server" it never existed); the session is carried on.
    mapped.server.close(); // stops listening at once; the session's connection goes on
    expect(await canBind(mapped.port)).toBe(true);
    const channelsBefore = s.log().split('direct-tcpip').length;

    const r = await e.healthCheck('d');
    expect(r).toMatchObject({ ok: true, measured: 'session' });
    expect(r.rttMs).toBeGreaterThan(0);
    expect(r.what).toContain('SSH session round trip');
    // No channel was opened for it.
    expect(s.log().split('direct-tcpip').length).toBe(channelsBefore);
    expect(e.logs('d').at(-1)?.message).toMatch(/^Health check: OK in [\d.]+ ms \(SSH session round trip/);
  });

  it('a -L health check still opens a channel to its destination, and says so', async () => {
    const s = await sshd();
    const dest = await testServer((sock) => sock.end());
    const e = engine();
    e.add('l', hostFor(s), local(dest.port));
    await e.start('l');
    const r = await e.healthCheck('l');
    expect(r).toMatchObject({ ok: true, measured: 'destination' });
    expect(r.what).toContain(`channel to 127.0.0.1:${dest.port}`);
  });

  it('a -D health check fails with SSH_TIMEOUT when the server does not answer (frozen)', async () => {
    const s = await sshd();
    const e = engine({ channelTimeoutMs: 1500 });
    e.add('d', hostFor(s), { kind: 'dynamic', listen: { host: '127.0.0.1', port: 0 } });
    await e.start('d');
    s.signalAll('SIGSTOP');
    try {
      const r = await e.healthCheck('d');
      expect(r).toMatchObject({ ok: false, measured: 'session', error: { code: 'SSH_TIMEOUT' } });
    } finally {
      s.signalAll('SIGCONT');
    }
  });
});

describe('keepalive with ServerAliveCountMax 1', () => {
  it('keeps a healthy idle session up (ssh2 must not give up before sending a keepalive)', async () => {
    const s = await sshd();
    const echo = await testServer((c) => c.pipe(c));
    const e = engine();
    e.add('idle', hostFor(s, { serverAliveInterval: 2, serverAliveCountMax: 1 }), local(echo.port));
    expect((await e.start('idle')).state.state).toBe('active');
    const changes: string[] = [];
    e.on('state', (id: string, st: { state: string }) => id === 'idle' && changes.push(st.state));
    // Three intervals with no traffic: the server answers each keepalive, so nothing changes.
    await new Promise((r) => setTimeout(r, 6_500));
    expect(changes).toEqual([]);
    expect(e.get('idle').state.state).toBe('active');
  }, 30_000);
});
