// ServerAliveInterval / ServerAliveCountMax mean what they mean in OpenSSH: CountMax
// keepalives may go unanswered, the next check gives up. A slow but healthy link is
// never cut; a frozen server is given up on after the same number of keepalives as
// `ssh -N` sends. Real sshd behind a delay proxy (test/support/delay-proxy.ts); the
// same proxy carries OpenSSH's client as the reference.
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { TunnelEngine } from '../../../electron/tunnels/engine';
import type { ForwardSpec } from '../../../shared/forward-spec';
import { cleanup, freePort, startSshd, type Sshd } from '../../support/sshd';
import { hostFor } from '../../support/hosts';
import { boundPort, waitState } from '../../support/engine-state';
import { echoServer, roundTrip, sha256, sourceServer, type TestServer } from '../../support/tcp';
import { knownHostsVia, startDelayProxy, type DelayProxy } from '../../support/delay-proxy';

const undo: Array<() => unknown> = [];
afterEach(async () => {
  for (const u of undo.splice(0).reverse()) await u();
});

async function setUp(rttMs: number, bytesPerSecond?: number) {
  const s: Sshd = await startSshd();
  undo.push(() => cleanup(s));
  const proxy: DelayProxy = await startDelayProxy({ target: { host: '127.0.0.1', port: s.port }, rttMs, bytesPerSecond });
  undo.push(() => proxy.close());
  const echo: TestServer = await echoServer();
  undo.push(() => echo.close());
  // Both clients reach sshd through the proxy's port: trust its host key there.
  const knownHosts = knownHostsVia(s, proxy.port);
  return { s, proxy, echo, knownHosts };
}

function burrowEngine() {
  const e = new TunnelEngine({ reconnect: { baseDelayMs: 200, maxDelayMs: 800 } });
  undo.push(() => e.shutdown());
  return e;
}

function openSsh(s: Sshd, proxyPort: number, knownHosts: string, listen: number, target: number): ChildProcess {
  const proc = spawn(
    'ssh',
    [
      '-N',
      '-F',
      '/dev/null',
      '-o',
      'BatchMode=yes',
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      `UserKnownHostsFile=${knownHosts}`,
      '-o',
      'IdentitiesOnly=yes',
      '-o',
      'ServerAliveInterval=1',
      '-o',
      'ServerAliveCountMax=2',
      '-i',
      s.userKey,
      '-p',
      String(proxyPort),
      '-L',
      `127.0.0.1:${listen}:127.0.0.1:${target}`,
      `${s.user}@127.0.0.1`,
    ],
    { stdio: 'ignore' },
  );
  undo.push(() => proc.exitCode === null && proc.signalCode === null && proc.kill('SIGKILL'));
  return proc;
}

const local = (port: number): ForwardSpec => ({ kind: 'local', listen: { host: '127.0.0.1', port: 0 }, target: { host: '127.0.0.1', port } });
const portOf = (e: TunnelEngine, id: string) => boundPort(e.get(id));

async function until(what: string, pred: () => boolean | Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const echoes = (port: number) =>
  roundTrip(port, Buffer.from('ping')).then(
    (b) => b.toString() === 'ping',
    () => false,
  );

describe('keepalive as OpenSSH counts it', () => {
  it('ServerAliveInterval 1, ServerAliveCountMax 2 over a 1.5 s round trip: the healthy slow link stays up (as ssh -N does)', async () => {
    const { s, proxy, echo, knownHosts } = await setUp(1500);
    // Each login takes about ten round trips (15 s here): both at once.
    const sshPort = await freePort();
    const ssh = openSsh(s, proxy.port, knownHosts, sshPort, echo.port);
    const e = burrowEngine();
    e.add('slow', hostFor(s, { port: proxy.port, knownHostsFiles: [knownHosts], serverAliveInterval: 1, serverAliveCountMax: 2 }), local(echo.port));
    expect((await e.start('slow')).state.state).toBe('active');
    const changes: string[] = [];
    e.on('state', (id: string, st: { state: string }) => id === 'slow' && changes.push(st.state));
    await until('ssh -L to answer', () => echoes(sshPort), 40_000);

    // Eight intervals: up to two keepalives are in flight at any time, each answered after 1.5 s.
    await new Promise((r) => setTimeout(r, 8_000));
    expect(changes).toEqual([]);
    expect(ssh.exitCode).toBeNull();
    expect(await echoes(portOf(e, 'slow'))).toBe(true);
    // One SSH connection each over the whole time: nobody reconnected.
    expect(proxy.connections).toHaveLength(2);
  }, 90_000);

  it('a frozen server: Burrow gives up after ServerAliveCountMax unanswered keepalives, as many as ssh -N sends, and reconnects', async () => {
    const { s, proxy, echo, knownHosts } = await setUp(2);
    const e = burrowEngine();
    e.add('frozen', hostFor(s, { port: proxy.port, knownHostsFiles: [knownHosts], serverAliveInterval: 1, serverAliveCountMax: 2 }), local(echo.port));
    expect((await e.start('frozen')).state.state).toBe('active');
    const burrowConn = proxy.connections[0];
    const sshPort = await freePort();
    const ssh = openSsh(s, proxy.port, knownHosts, sshPort, echo.port);
    await until('ssh -L to answer', () => echoes(sshPort));
    const sshConn = proxy.connections[1];
    const sshExited = new Promise<number | null>((r) => ssh.once('exit', (code) => r(code)));
    // Let the test connection's close finish and a keepalive round pass, so that nothing but keepalives follows.
    await new Promise((r) => setTimeout(r, 1_500));

    // What each client sent since the server's last packet: Burrow acknowledges a keepalive's answer
    // with an SSH_MSG_IGNORE (ack-nudge.ts), so its count may start at 1.
    const atFreeze = { burrow: burrowConn.upSinceDown, ssh: sshConn.upSinceDown };
    s.signalAll('SIGSTOP');
    undo.push(() => s.signalAll('SIGCONT'));
    const lost = waitState(e, 'frozen', (st) => st.state === 'reconnecting', 30_000);
    const [state, sshCode] = await Promise.all([lost, sshExited]);

    expect(sshCode).toBe(255);
    expect({ burrow: burrowConn.upSinceDown - atFreeze.burrow, ssh: sshConn.upSinceDown - atFreeze.ssh }).toEqual({ burrow: 2, ssh: 2 });
    expect(state.reason).toEqual({
      code: 'SSH_TIMEOUT',
      message: `test-sshd (${s.user}@127.0.0.1:${proxy.port}) stopped answering keepalives; the connection is considered lost.`,
    });
  }, 60_000);

  it('a busy link whose keepalive answers queue behind data (paced to 1 MiB/s) is not cut: data from the server postpones the check, as in OpenSSH', async () => {
    const MiB = 1024 * 1024;
    const { s, proxy, knownHosts } = await setUp(100, MiB);
    const src = await sourceServer(10 * MiB);
    undo.push(() => src.close());
    const e = burrowEngine();
    e.add('busy', hostFor(s, { port: proxy.port, knownHostsFiles: [knownHosts], serverAliveInterval: 1, serverAliveCountMax: 2 }), local(src.port));
    expect((await e.start('busy')).state.state).toBe('active');
    const changes: string[] = [];
    e.on('state', (id: string, st: { state: string }) => id === 'busy' && changes.push(st.state));

    const got = await roundTrip(portOf(e, 'busy'), Buffer.alloc(0));
    expect(got.length).toBe(10 * MiB);
    expect(sha256(got)).toBe(src.sha256);
    // The window let several seconds of data queue ahead of each keepalive answer.
    expect(proxy.connections[0].down.maxHeld).toBeGreaterThan(3 * MiB);
    // Never cut: the only change is the destination becoming reachable (still active).
    expect(changes.filter((c) => c !== 'active')).toEqual([]);
    expect(proxy.connections).toHaveLength(1);
  }, 60_000);
});
