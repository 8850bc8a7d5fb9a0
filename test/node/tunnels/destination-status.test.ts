// What an active forward knows of its destination, through real OpenSSH sshds:
// 'untried' until a connection or a health check has gone through (a server with
// AllowTcpForwarding no looks just like a working one until then), the optional
// health check at start, and Retry now on an active forward checking again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { TunnelEngine } from '../../../electron/tunnels/engine';
import type { ForwardSpec } from '../../../shared/forward-spec';
import { cleanup, freePort, startSshd, type Sshd } from '../../support/sshd';
import { hostFor } from '../../support/hosts';
import { echoServer, roundTrip, type TestServer } from '../../support/tcp';
import { boundPort, waitState } from '../../support/engine-state';

let open: Sshd;
let forbidding: Sshd;
let echo: TestServer;
const engines: TunnelEngine[] = [];

function engine() {
  const e = new TunnelEngine();
  engines.push(e);
  return e;
}

const local = (port: number, more: Partial<ForwardSpec> = {}): ForwardSpec => ({
  kind: 'local',
  listen: { host: '127.0.0.1', port: 0 },
  target: { host: '127.0.0.1', port },
  ...more,
});

beforeAll(async () => {
  [open, forbidding, echo] = await Promise.all([startSshd(), startSshd({ config: ['AllowTcpForwarding no'] }), echoServer()]);
});

afterAll(async () => {
  await Promise.all(engines.map((e) => e.shutdown()));
  await echo.close();
  cleanup(open);
  cleanup(forbidding);
});

describe('destination status of an active forward', () => {
  it('through a server that forbids forwarding: untried until a connection tries it, then failing with the reason', async () => {
    const e = engine();
    e.add('f', hostFor(forbidding), local(echo.port));
    const info = await e.start('f');
    expect(info.state).toMatchObject({ state: 'active', destination: { status: 'untried' } });
    await roundTrip(boundPort(info), Buffer.from('x')).catch(() => Buffer.alloc(0));
    const failing = await waitState(e, 'f', (s) => s.destination?.status === 'failing');
    expect(failing).toMatchObject({
      state: 'active',
      destination: { status: 'failing', reason: { code: 'DEST_PROHIBITED', message: expect.stringContaining('AllowTcpForwarding no') } },
    });
  });

  it('through a server that allows it: untried, then reachable once a connection has gone through', async () => {
    const e = engine();
    e.add('ok', hostFor(open), local(echo.port));
    const info = await e.start('ok');
    expect(info.state).toMatchObject({ state: 'active', destination: { status: 'untried' } });
    expect((await roundTrip(boundPort(info), Buffer.from('hi'))).toString()).toBe('hi');
    await waitState(e, 'ok', (s) => s.destination?.status === 'reachable');
  });

  it('health check at start: the forbidding server shows as failing with no client connecting', async () => {
    const e = engine();
    e.add('hc', hostFor(forbidding), local(echo.port, { healthCheckAtStart: true }));
    await e.start('hc');
    const failing = await waitState(e, 'hc', (s) => s.destination?.status === 'failing');
    expect(failing.destination).toMatchObject({ reason: { code: 'DEST_PROHIBITED' } });
    expect(e.logs('hc').map((l) => l.message)).toContainEqual(expect.stringMatching(/^Health check failed: .*administratively prohibited/));
    expect(e.get('hc').stats.totalConnections).toBe(0);
  });

  it('health check at start: a reachable destination shows as reachable; off by default, nothing is opened', async () => {
    const e = engine();
    e.add('hc-ok', hostFor(open), local(echo.port, { healthCheckAtStart: true }));
    e.add('no-hc', hostFor(open), local(echo.port));
    await Promise.all([e.start('hc-ok'), e.start('no-hc')]);
    await waitState(e, 'hc-ok', (s) => s.destination?.status === 'reachable');
    expect(e.logs('hc-ok').map((l) => l.message)).toContainEqual(expect.stringMatching(/^Health check: OK in [\d.]+ ms/));
    expect(e.get('no-hc').state).toMatchObject({ state: 'active', destination: { status: 'untried' } });
    expect(e.logs('no-hc').some((l) => l.message.startsWith('Health check'))).toBe(false);
  });

  it('Retry now on an active forward whose destination refused checks it again and says what it found', async () => {
    const e = engine();
    const closed = await freePort();
    e.add('refused', hostFor(open), local(closed));
    const port = boundPort(await e.start('refused'));
    await roundTrip(port, Buffer.from('x')).catch(() => Buffer.alloc(0));
    await waitState(e, 'refused', (s) => s.destination?.status === 'failing');

    const still = await e.retryNow('refused');
    expect(still).toMatchObject({ ok: false, measured: 'destination', error: { code: 'DEST_REFUSED' } });
    expect(e.get('refused').state).toMatchObject({ state: 'active', destination: { status: 'failing', reason: { code: 'DEST_REFUSED' } } });

    const server = await new Promise<net.Server>((resolve) => {
      const srv = net.createServer((s) => s.end('back')).listen(closed, '127.0.0.1', () => resolve(srv));
    });
    try {
      const now = await e.retryNow('refused');
      expect(now).toMatchObject({ ok: true, measured: 'destination' });
      expect(e.get('refused').state).toMatchObject({ state: 'active', destination: { status: 'reachable' } });
    } finally {
      server.close();
    }
  });

  it('health check at start when the start waited for the session: it runs once the forward becomes active', async () => {
    const later = await startSshd();
    try {
      await later.stop();
      const e = engine();
      e.add('late', hostFor(later), local(echo.port, { healthCheckAtStart: true }));
      expect((await e.start('late')).state.state).toBe('reconnecting');
      await later.restart();
      e.reconnectAll();
      await waitState(e, 'late', (s) => s.destination?.status === 'reachable');
      expect(
        e
          .logs('late')
          .filter((l) => l.message.startsWith('Health check'))
          .map((l) => l.message),
      ).toEqual([expect.stringMatching(/^Health check: OK in [\d.]+ ms/)]);
    } finally {
      cleanup(later);
    }
  });

  it('a restart forgets what the previous run learnt', async () => {
    const e = engine();
    e.add('again', hostFor(open), local(echo.port, { healthCheckAtStart: true }));
    await e.start('again');
    await waitState(e, 'again', (s) => s.destination?.status === 'reachable');
    await e.stop('again');
    e.update('again', hostFor(open), local(echo.port));
    const info = await e.start('again');
    expect(info.state).toMatchObject({ state: 'active', destination: { status: 'untried' } });
  });
});
