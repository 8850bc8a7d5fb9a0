// Packets from the server that nothing answers are acknowledged at once by an
// empty SSH_MSG_IGNORE (ack-nudge.ts), and the login's host keys are not proved
// unasked (patches/ssh2+1.17.0.patch): either left the server's next small packet
// waiting for our delayed ACK under its Nagle (docs/benchmarks.md, first byte).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acknowledgePromptly } from '../../../electron/tunnels/ack-nudge';
import { TunnelEngine } from '../../../electron/tunnels/engine';
import type { HostConfig } from '../../../electron/tunnels/types';
import { parseForwardSpec } from '../../../shared/forward-spec';
import { cleanup, startSshd, type Sshd } from '../../support/sshd';
import { hostFor } from '../../support/hosts';
import { echoServer, roundTrip, type TestServer } from '../../support/tcp';
import { boundPort } from '../../support/engine-state';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const undo: Array<() => unknown> = [];
afterEach(async () => {
  for (const u of undo.splice(0).reverse()) await u();
});

/** Two ends of a loopback TCP connection. */
async function socketPair(): Promise<{ ours: net.Socket; theirs: net.Socket }> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const accepted = new Promise<net.Socket>((r) => server.once('connection', r));
  const ours = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  const theirs = await accepted;
  server.close();
  theirs.on('error', () => {});
  // As ssh2's own 'data' listener does.
  ours.resume();
  undo.push(() => {
    ours.destroy();
    theirs.destroy();
  });
  return { ours, theirs };
}

async function eventually(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(5);
  }
}

describe('acknowledgePromptly', () => {
  it('nudges once after a read that nothing answers, and not after a read that is answered', async () => {
    const { ours, theirs } = await socketPair();
    let nudges = 0;
    acknowledgePromptly(ours, () => {
      nudges++;
      ours.write('i');
    });
    // Unanswered: one nudge.
    theirs.write('hostkeys');
    await eventually(() => nudges === 1);
    // Answered by the protocol while it handles the read (ssh2's listener comes after ours).
    ours.on('data', (d) => {
      if (String(d) === 'ping') ours.write('pong');
    });
    await sleep(20);
    theirs.write('ping');
    await new Promise((r) => theirs.once('data', r));
    await sleep(50);
    expect(nudges).toBe(1);
  });

  it('nudges at most once per 2 ms while reads keep coming (a download)', async () => {
    const { ours, theirs } = await socketPair();
    let nudges = 0;
    acknowledgePromptly(ours, () => {
      nudges++;
      ours.write('i');
    });
    const t0 = performance.now();
    for (let i = 0; i < 100; i++) {
      theirs.write(Buffer.alloc(1000));
      await new Promise((r) => setImmediate(r));
    }
    await sleep(30);
    const elapsed = performance.now() - t0;
    expect(nudges).toBeGreaterThanOrEqual(1);
    expect(nudges).toBeLessThanOrEqual(Math.ceil(elapsed / 2) + 1);
  });

  it('stops when the socket closes', async () => {
    const { ours, theirs } = await socketPair();
    let nudges = 0;
    acknowledgePromptly(ours, () => nudges++);
    theirs.write('x');
    ours.destroy();
    await sleep(30);
    expect(nudges).toBe(0);
  });
});

describe('against OpenSSH sshd', () => {
  let sshd: Sshd;
  let echo: TestServer;
  const engine = new TunnelEngine();

  beforeAll(async () => {
    sshd = await startSshd({ config: ['LogLevel DEBUG3'] });
    echo = await echoServer();
  });
  afterAll(async () => {
    await engine.shutdown();
    await echo.close();
    await cleanup(sshd);
  });

  it("acknowledges the login's host-keys message with an IGNORE, and does not ask the server to prove its host keys", async () => {
    engine.add('f', hostFor(sshd), { ...parseForwardSpec('local', `1:127.0.0.1:${echo.port}`), listen: { host: '127.0.0.1', port: 0 } });
    const port = boundPort(await engine.start('f'));
    expect((await roundTrip(port, Buffer.from('hello'))).toString()).toBe('hello');
    await eventually(() => /receive packet: type 2\b/.test(sshd.log()));
    // The server's hostkeys-00 came; unpatched ssh2 answers it with a hostkeys-prove-00 request.
    expect(sshd.log()).toContain('send packet: type 80');
    expect(sshd.log()).not.toContain('hostkeys-prove-00@openssh.com');
  });
  it('through a jump host, the target server gets its IGNORE too (the jump host acknowledges its socket as it passes it on)', async () => {
    const bastion = await startSshd();
    const dir = mkdtempSync(join(tmpdir(), 'burrow-nudge-'));
    const knownHosts = join(dir, 'known_hosts');
    writeFileSync(knownHosts, [bastion, sshd].map((s) => readFileSync(s.knownHosts, 'utf8').trim()).join('\n') + '\n');
    const hop = (s: Sshd, over: Partial<HostConfig> = {}) =>
      hostFor(s, { identityFiles: [bastion.userKey, sshd.userKey], knownHostsFiles: [knownHosts], ...over });
    const before = (sshd.log().match(/receive packet: type 2\b/g) ?? []).length;
    const e = new TunnelEngine();
    try {
      e.add('j', hop(sshd, { jump: [hop(bastion)] }), { ...parseForwardSpec('local', `1:127.0.0.1:${echo.port}`), listen: { host: '127.0.0.1', port: 0 } });
      const port = boundPort(await e.start('j'));
      expect((await roundTrip(port, Buffer.from('hello'))).toString()).toBe('hello');
      await eventually(() => (sshd.log().match(/receive packet: type 2\b/g) ?? []).length > before);
    } finally {
      await e.shutdown();
      await cleanup(bastion);
    }
  });
});
