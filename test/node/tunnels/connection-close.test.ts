// Closing one connection of a running forward (the details pane's Close) ends it
// at once, in the engine's books too: the list and the open count drop, for -L,
// -D and -R, idle or busy. Churn leaves nothing behind in the engine's maps or in
// the SSH session's channel table. Real sshd on 127.0.0.1, through the dispatcher.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServices, type Services } from '../../../electron/api/services';
import { MemorySecretStore } from '../../../electron/profiles/secrets';
import type { SshSession } from '../../../electron/tunnels/session';
import { okCaller } from '../../support/dispatch';
import { sshdHostInput } from '../../support/hosts';
import { cleanup, freePort, startSshd, type Sshd } from '../../support/sshd';
import { echoServer, serve, type TestServer } from '../../support/tcp';
import { socks5 } from '../../support/socks-client';

let sshd: Sshd;
let dir: string;
let services: Services;
let echo: TestServer;
/** Accepts and then says nothing and never closes: an idle service. */
let silent: TestServer;
const silentEnded: net.Socket[] = [];
const use = okCaller(() => services);

const waitFor = async (what: string, cond: () => boolean | Promise<boolean>, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

const openCount = (name: string) => services.engine.stats()[name].openConnections;

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    s.once('error', reject);
    s.once('connect', () => resolve(s));
  });
}

/** Bytes through, so that the connection is established end to end. */
async function echoOnce(s: net.Socket, text = 'ping') {
  const got = new Promise((r) => s.once('data', r));
  s.write(text);
  await got;
}

/** The SSH session a forward runs over: its channel table is ssh2's own map. */
function openChannels(name: string): number {
  const entry = (services.engine as unknown as { forwards: Map<string, { session?: SshSession }> }).forwards.get(name);
  const client = entry?.session?.client as unknown as { _chanMgr: { _count: number } } | undefined;
  return client?._chanMgr._count ?? 0;
}

async function closeThroughDispatcher(name: string, expected: number) {
  let conns = await use('forward.connections', { name });
  await waitFor(`${expected} connection(s) of ${name} listed`, async () => (conns = await use('forward.connections', { name })).length === expected);
  for (const c of conns) expect(await use('forward.closeConnection', { name, connectionId: c.id })).toEqual({ closed: true });
  await waitFor(`${name}'s connections gone from the list`, async () => (await use('forward.connections', { name })).length === 0, 5_000);
  expect(openCount(name)).toBe(0);
  // Closing again is a plain "not there", not a silent no-op on a ghost.
  expect(await use('forward.closeConnection', { name, connectionId: conns[0].id })).toEqual({ closed: false });
}

beforeAll(async () => {
  sshd = await startSshd();
  dir = mkdtempSync(path.join(tmpdir(), 'burrow-conn-close-'));
  echo = await echoServer();
  silent = await serve((s) => s.on('end', () => silentEnded.push(s)));
  services = await createServices({ configDir: dir, secretStore: new MemorySecretStore(), watchProfiles: false, promptTimeoutMs: 20_000 });
  await use('host.add', {
    host: sshdHostInput(sshd, 'test', { strictHostKeyChecking: 'yes' }),
  });
}, 60_000);

afterAll(async () => {
  await services?.dispose();
  await echo?.close();
  await silent?.close();
  cleanup(sshd);
  rmSync(dir, { recursive: true, force: true });
});

describe('Close from the details pane', () => {
  it('-L: a busy and an idle connection leave the list and the count at once; the client sees the close', async () => {
    const busyPort = await freePort();
    const idlePort = await freePort();
    await use('forward.add', {
      forward: { name: 'busy', kind: 'local', listen: { host: '127.0.0.1', port: busyPort }, target: { host: '127.0.0.1', port: echo.port }, host: 'test' },
      start: true,
    });
    await use('forward.add', {
      forward: { name: 'idle', kind: 'local', listen: { host: '127.0.0.1', port: idlePort }, target: { host: '127.0.0.1', port: silent.port }, host: 'test' },
      start: true,
    });

    const a = await connect(busyPort);
    const b = await connect(busyPort);
    await echoOnce(a);
    await echoOnce(b);
    const closed = Promise.all([a, b].map((s) => new Promise((r) => s.once('close', r))));
    await closeThroughDispatcher('busy', 2);
    await closed;

    const idle = await connect(idlePort);
    const idleClosed = new Promise((r) => idle.once('close', r));
    await closeThroughDispatcher('idle', 1);
    await idleClosed;
    await waitFor('the SSH channels released', () => openChannels('busy') === 0 && openChannels('idle') === 0);
  });

  it('-L: a client that half-closes while the service stays silent stays open (as OpenSSH), and Close still ends it', async () => {
    const port = await freePort();
    await use('forward.add', {
      forward: { name: 'half', kind: 'local', listen: { host: '127.0.0.1', port: port }, target: { host: '127.0.0.1', port: silent.port }, host: 'test' },
      start: true,
    });
    const s = await connect(port);
    const before = silentEnded.length;
    s.end();
    // The EOF went through to the service...
    await waitFor('the service saw the EOF', () => silentEnded.length > before);
    // ...and the connection is still there, waiting for the service's answer.
    expect(await use('forward.connections', { name: 'half' })).toHaveLength(1);
    await closeThroughDispatcher('half', 1);
  });

  it('-D: Close ends a SOCKS connection in the books too', async () => {
    const port = await freePort();
    await use('forward.add', { forward: { name: 'socks', kind: 'dynamic', listen: { host: '127.0.0.1', port: port }, host: 'test' }, start: true });
    const { status, sock: s } = await socks5(port, { ipv4: '127.0.0.1' }, echo.port);
    expect(status).toBe(0);
    await echoOnce(s);
    await closeThroughDispatcher('socks', 1);
  });

  it('-R: Close ends a connection the server carried back', async () => {
    const remotePort = await freePort();
    await use('forward.add', {
      forward: { name: 'back', kind: 'remote', listen: { host: 'localhost', port: remotePort }, target: { host: '127.0.0.1', port: echo.port }, host: 'test' },
      start: true,
    });
    const s = await connect(remotePort);
    await echoOnce(s);
    const closed = new Promise((r) => s.once('close', r));
    await closeThroughDispatcher('back', 1);
    await closed;
  });

  it('churn: 150 connections ended every way leave nothing in the engine or the SSH channel table', async () => {
    const port = await freePort();
    await use('forward.add', {
      forward: { name: 'churn', kind: 'local', listen: { host: '127.0.0.1', port: port }, target: { host: '127.0.0.1', port: echo.port }, host: 'test' },
      start: true,
    });
    for (let round = 0; round < 5; round++) {
      const socks = await Promise.all(Array.from({ length: 30 }, () => connect(port)));
      await Promise.all(socks.map((s) => echoOnce(s)));
      await waitFor('30 connections listed', async () => (await use('forward.connections', { name: 'churn' })).length === 30);
      const conns = await use('forward.connections', { name: 'churn' });
      const bySource = new Map(conns.map((c) => [c.source, c.id]));
      const gone = socks.map((s) => new Promise((r) => s.once('close', r)));
      socks.forEach((s, i) => {
        if (i % 3 === 0) void use('forward.closeConnection', { name: 'churn', connectionId: bySource.get(`127.0.0.1:${s.localPort}`)! });
        else if (i % 3 === 1) s.destroy();
        else {
          s.resume();
          s.end(); // the echo service ends in turn
        }
      });
      await Promise.all(gone);
      await waitFor('the list empty after a round', async () => (await use('forward.connections', { name: 'churn' })).length === 0);
    }
    expect(openCount('churn')).toBe(0);
    expect(services.engine.stats().churn.totalConnections).toBe(150);
    await waitFor('every SSH channel released', () => openChannels('churn') === 0);
  }, 120_000);
});
