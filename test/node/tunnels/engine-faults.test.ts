// Faults that sshd cannot be made to produce, through an in-process ssh2 server.
import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { TunnelEngine } from '../../../electron/tunnels/engine';
import type { HostConfig } from '../../../electron/tunnels/types';
import { startFakeServer, type FakeServer } from '../../support/ssh2-server';
import { roundTrip } from '../../support/tcp';
import { testHost } from '../../support/hosts';
import { boundPort } from '../../support/engine-state';

let server: FakeServer | undefined;
let engine: TunnelEngine | undefined;
let silent: net.Server | undefined;
afterEach(async () => {
  await engine?.shutdown();
  await server?.close();
  silent?.close();
  silent = undefined;
});

const host = (s: FakeServer, over: Partial<HostConfig> = {}): HostConfig =>
  testHost({ alias: 'fake', port: s.port, knownHostsFiles: [s.knownHosts], password: 'sesame', ...over });

async function errorsFor(s: FakeServer, h: HostConfig, engineOpts = {}) {
  engine = new TunnelEngine(engineOpts);
  const errors: string[] = [];
  engine.on('log', (l) => l.level === 'error' && errors.push(`${l.code}: ${l.message}`));
  engine.add('f', h, { kind: 'local', listen: { host: '127.0.0.1', port: 0 }, target: { host: 'db.internal', port: 5432 } });
  const info = await engine.start('f');
  const port = boundPort(info);
  await roundTrip(port, Buffer.from('x')).catch(() => undefined);
  await new Promise((r) => setTimeout(r, 50));
  return { errors, state: engine.get('f').state };
}

describe('per-connection failures the server reports', () => {
  it('name resolution failed on the server', async () => {
    // What OpenSSH sends when getaddrinfo fails: reason 2 (connect failed) with gai_strerror's text.
    server = await startFakeServer({ tcpip: (_info, _accept, reject, conn) => failOpen(conn, reject, 'Name or service not known') });
    const { errors, state } = await errorsFor(server, host(server));
    expect(errors.join('\n')).toMatch(
      /DEST_UNRESOLVED: Connection from [\d.:]+: fake \(tester@127\.0\.0\.1:\d+\) could not resolve the name in db\.internal:5432 \("Name or service not known"\)\. Names are resolved on the server/,
    );
    expect(state).toMatchObject({ state: 'active', destination: { status: 'failing', reason: { code: 'DEST_UNRESOLVED' } } });
  });

  it('a channel open the server never answers times out', async () => {
    server = await startFakeServer({ tcpip: () => undefined });
    const { errors, state } = await errorsFor(server, host(server), { channelTimeoutMs: 300 });
    expect(errors.join('\n')).toMatch(/DEST_TIMEOUT: .*Connecting to db\.internal:5432 through fake \(tester@127\.0\.0\.1:\d+\) timed out after 0 s/);
    expect(state.state).toBe('active');
  });

  it('authenticates with a password', async () => {
    let seen = '';
    server = await startFakeServer({
      auth: (ctx) => {
        if (ctx.method === 'password') {
          seen = ctx.password;
          return ctx.password === 'sesame' ? ctx.accept() : ctx.reject();
        }
        ctx.reject(['password']);
      },
      tcpip: (_i, accept) => {
        const ch = accept();
        ch.end('pong');
      },
    });
    engine = new TunnelEngine();
    engine.add('pw', host(server), { kind: 'local', listen: { host: '127.0.0.1', port: 0 }, target: { host: 'x', port: 1 } });
    const info = await engine.start('pw');
    expect(seen).toBe('sesame');
    expect((await roundTrip(boundPort(info), Buffer.from('ping'))).toString()).toBe('pong');
  });

  it('a refused password says so, and which methods were tried', async () => {
    server = await startFakeServer({ auth: (ctx) => (ctx.method === 'password' ? ctx.reject() : ctx.reject(['password'])) });
    engine = new TunnelEngine();
    engine.add('pw', host(server, { password: 'wrong' }), { kind: 'local', listen: { host: '127.0.0.1', port: 0 }, target: { host: 'x', port: 1 } });
    await expect(engine.start('pw')).rejects.toThrow(
      'Permission denied: the server refused the password for tester@127.0.0.1. Check the user name and the password (the saved password may be out of date: save the new one). Methods tried: password.',
    );
  });
});

/** Rejects a channel open with OpenSSH's description text (ssh2's reject() always sends an empty one). */
function failOpen(conn: object, reject: () => void, text: string) {
  type Proto = { channelOpenFail(recipient: number, reason: number, description: string): void };
  const proto = (conn as { _protocol: Proto })._protocol;
  const original = proto.channelOpenFail.bind(proto);
  proto.channelOpenFail = (recipient, reason) => original(recipient, reason, text);
  reject();
  proto.channelOpenFail = original;
}

describe('stopping while the SSH connection is still being made', () => {
  it('closes the connection at once, not at ConnectTimeout, and no session comes up afterwards', async () => {
    // A server that accepts and never says a word (a frozen sshd, a black-holing middlebox).
    let accepted: net.Socket | undefined;
    const closed = new Promise<number>((resolve) => {
      silent = net.createServer((s) => {
        accepted = s;
        s.on('error', () => undefined);
        s.resume(); // reads (and drops) what the client sends, so that its close is seen
        s.on('close', () => resolve(performance.now()));
      });
    });
    await new Promise<void>((r) => silent!.listen(0, '127.0.0.1', () => r()));
    const port = (silent!.address() as net.AddressInfo).port;
    engine = new TunnelEngine();
    engine.add('f', testHost({ alias: 'silent', port, knownHostsFiles: [], connectTimeout: 60 }), {
      kind: 'local',
      listen: { host: '127.0.0.1', port: 0 },
      target: { host: 'x', port: 1 },
    });
    const starting = engine.start('f').catch((e: Error) => e);
    while (!accepted) await new Promise((r) => setTimeout(r, 10));
    const stoppedAt = performance.now();
    await engine.stop('f');
    expect(await closed).toBeLessThan(stoppedAt + 5_000);
    expect(await starting).toBeInstanceOf(Error);
    expect(engine.get('f').state.state).toBe('stopped');
  });
});
