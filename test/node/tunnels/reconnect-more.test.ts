// Staying up, the harder cases: remote forwards the server refuses after a
// reconnect, port 0 moving, first connects that fail, remote forwards started
// while their session reconnects, remembered passphrases, the jump step's timeout,
// the agent under IdentitiesOnly, and probing a silently dead session.
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import type { Connection } from 'ssh2';
import { TunnelEngine, type EngineOptions } from '../../../electron/tunnels/engine';
import type { HostConfig, Prompter, SecretQuestion } from '../../../electron/tunnels/types';
import type { BurrowError } from '../../../shared/errors';
import { cleanup, descendants, freePort, keygen, startSshd, type Sshd } from '../../support/sshd';
import { hostFor, testHost } from '../../support/hosts';
import { waitState, type StateFields } from '../../support/engine-state';
import { startFakeServer, type FakeServer } from '../../support/ssh2-server';
import { echoServer, roundTrip, type TestServer } from '../../support/tcp';
import { burrowDone } from '../../support/cli';
import { boundOf } from '../../../shared/tunnel-state';

const FAST: EngineOptions = { reconnect: { baseDelayMs: 200, maxDelayMs: 1000 } };

// Everything a test starts, undone after it whatever happened.
const undo: Array<() => unknown> = [];
afterEach(async () => {
  for (const f of undo.splice(0).reverse()) await f();
});

async function sshdForTest(opts: Parameters<typeof startSshd>[0] = {}): Promise<Sshd> {
  const s = await startSshd(opts);
  undo.push(() => {
    s.signalAll('SIGCONT');
    return cleanup(s);
  });
  return s;
}

function engineForTest(opts: EngineOptions = FAST): TunnelEngine {
  const e = new TunnelEngine(opts);
  undo.push(() => e.shutdown());
  return e;
}

async function echoForTest(): Promise<TestServer> {
  const s = await echoServer();
  undo.push(() => s.close());
  return s;
}

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'burrow-more-'));
  undo.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

/** Holds a TCP port on 127.0.0.1 (as if the server still had it), accepting and closing connections. */
async function holdPort(port: number): Promise<{ close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
    s.end();
  });
  // The stopped sshd's session process may still hold the port for a moment, or an outgoing
  // connection may have it as its local port (a port 0 forward's port is an ephemeral one): wait,
  // and if something else keeps it, it is taken either way, which is all the callers need.
  const deadline = Date.now() + 5000;
  for (;;) {
    const err = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
      srv.once('error', resolve).listen(port, '127.0.0.1', () => resolve(undefined));
    });
    if (!err) break;
    if (err.code !== 'EADDRINUSE') throw err;
    if (Date.now() > deadline) return { close: () => Promise.resolve() };
    await new Promise((r) => setTimeout(r, 100));
  }
  srv.removeAllListeners('error');
  let closed = false;
  const close = () => {
    if (closed) return Promise.resolve();
    closed = true;
    sockets.forEach((s) => s.destroy());
    return new Promise<void>((r) => srv.close(() => r()));
  };
  undo.push(close);
  return { close };
}

const port = (s: StateFields) => (s.bound as { port: number } | undefined)?.port;

describe('remote forwards after a reconnect', () => {
  it('a listener the server refuses to re-create is retried with backoff and said so; it comes back when the port is free, the session and other forwards staying up', async () => {
    const sshd = await sshdForTest();
    const echo = await echoForTest();
    const engine = engineForTest();
    const remotePort = await freePort();
    const host = hostFor(sshd);
    engine.add('r', host, { kind: 'remote', listen: { host: '127.0.0.1', port: remotePort }, target: { host: '127.0.0.1', port: echo.port } });
    engine.add('l', host, { kind: 'local', listen: { host: '127.0.0.1', port: 0 }, target: { host: '127.0.0.1', port: echo.port } });
    await engine.start('r');
    const local = port((await engine.start('l')).state)!;
    expect((await roundTrip(remotePort, Buffer.from('before'))).toString()).toBe('before');

    await sshd.stop();
    await waitState(engine, 'r', (s) => s.state === 'reconnecting', 10_000);
    // After sleep or a Wi-Fi change the server may still hold the port for the old connection.
    const holder = await holdPort(remotePort);
    await sshd.restart();
    await waitState(engine, 'l', (s) => s.state === 'active', 20_000);
    const refused = await waitState(engine, 'r', (s) => s.state === 'reconnecting' && s.reason?.code === 'REMOTE_REFUSED', 20_000);
    expect(refused.reason!.message).toMatch(
      new RegExp(
        `^The server refused to listen on 127\\.0\\.0\\.1:${remotePort} again after the reconnect: port ${remotePort} is still in use on the server.* Retrying in \\d+ s \\(attempt \\d+\\); the SSH session itself is up`,
      ),
    );
    expect(refused.attempt).toBeGreaterThanOrEqual(1);
    expect(refused.nextAttemptAt).toBeGreaterThan(Date.now() - 5000);
    // It keeps trying (a second refusal, further backoff), the other forward is unaffected meanwhile.
    await waitState(engine, 'r', (s) => s.state === 'reconnecting' && (s.attempt ?? 0) >= 2, 20_000);
    expect(engine.get('l').state.state).toBe('active');
    expect((await roundTrip(local, Buffer.from('unaffected'))).toString()).toBe('unaffected');
    expect(engine.logs('r').some((l) => l.level === 'warn' && /Retrying in/.test(l.message))).toBe(true);

    await holder.close();
    const back = await waitState(engine, 'r', (s) => s.state === 'active', 20_000);
    expect(back.bound).toEqual({ host: '127.0.0.1', port: remotePort });
    expect(back.reason).toBeUndefined();
    expect((await roundTrip(remotePort, Buffer.from('after'))).toString()).toBe('after');
  });

  it('-R with port 0: the new port the server picks after a reconnect is in the state and in a new listening event', async () => {
    const sshd = await sshdForTest();
    const echo = await echoForTest();
    const engine = engineForTest();
    engine.add('r0', hostFor(sshd), { kind: 'remote', listen: { host: '127.0.0.1', port: 0 }, target: { host: '127.0.0.1', port: echo.port } });
    const listening: Array<{ id: string; bound: unknown }> = [];
    engine.on('listening', (id, bound) => listening.push({ id, bound }));
    const first = port((await engine.start('r0')).state)!;
    expect(listening).toEqual([{ id: 'r0', bound: { host: '127.0.0.1', port: first } }]);

    await sshd.stop();
    await waitState(engine, 'r0', (s) => s.state === 'reconnecting', 10_000);
    // The server must pick another port: the old one is taken meanwhile.
    await holdPort(first);
    await sshd.restart();
    const back = await waitState(engine, 'r0', (s) => s.state === 'active', 20_000);
    const second = port(back)!;
    expect(second).toBeGreaterThan(0);
    expect(second).not.toBe(first);
    expect(boundOf(engine.get('r0').state)).toEqual({ host: '127.0.0.1', port: second });
    expect(listening).toEqual([
      { id: 'r0', bound: { host: '127.0.0.1', port: first } },
      { id: 'r0', bound: { host: '127.0.0.1', port: second } },
    ]);
    expect(
      engine
        .logs('r0')
        .some((l) => l.message === `The server now listens on port ${second} (it was ${first}): a port 0 forward gets a new port after a reconnect.`),
    ).toBe(true);
    expect((await roundTrip(second, Buffer.from('new port'))).toString()).toBe('new port');
  });

  it('a -R forward started while its shared session reconnects waits for it, then binds and says where', async () => {
    const sshd = await sshdForTest();
    const echo = await echoForTest();
    const engine = engineForTest();
    const host = hostFor(sshd);
    engine.add('l', host, { kind: 'local', listen: { host: '127.0.0.1', port: 0 }, target: { host: '127.0.0.1', port: echo.port } });
    await engine.start('l');
    await sshd.stop();
    await waitState(engine, 'l', (s) => s.state === 'reconnecting', 10_000);

    const remotePort = await freePort();
    engine.add('r', host, { kind: 'remote', listen: { host: '127.0.0.1', port: remotePort }, target: { host: '127.0.0.1', port: echo.port } });
    const listening: unknown[] = [];
    engine.on('listening', (id, bound) => id === 'r' && listening.push(bound));
    const started = await engine.start('r');
    expect(started.state.state).toBe('reconnecting');
    expect(boundOf(started.state)).toBeUndefined();
    expect(listening).toEqual([]);

    await sshd.restart();
    const up = await waitState(engine, 'r', (s) => s.state === 'active', 20_000);
    expect(up.bound).toEqual({ host: '127.0.0.1', port: remotePort });
    expect(listening).toEqual([{ host: '127.0.0.1', port: remotePort }]);
    expect((await roundTrip(remotePort, Buffer.from('late bind'))).toString()).toBe('late bind');
  });
});

describe('a first connect that fails', () => {
  it('is retried when it may heal (connection refused): reconnecting with a countdown, the local port held, up once the server is', async () => {
    const sshd = await sshdForTest();
    const echo = await echoForTest();
    await sshd.stop();
    const engine = engineForTest();
    const local = await freePort();
    engine.add('early', hostFor(sshd), { kind: 'local', listen: { host: '127.0.0.1', port: local }, target: { host: '127.0.0.1', port: echo.port } });
    const t0 = Date.now();
    const info = await engine.start('early');
    expect(info.state).toMatchObject({ state: 'reconnecting', attempt: 1, reason: { code: 'SSH_CONNECT_FAILED' }, bound: { host: '127.0.0.1', port: local } });
    const refused: StateFields = info.state;
    expect(refused.reason!.message).toContain('connection refused');
    expect(refused.nextAttemptAt!).toBeGreaterThanOrEqual(t0);
    expect(engine.logs('early').some((l) => l.level === 'warn' && /connection refused.*Retrying in \d+ s/.test(l.message))).toBe(true);
    // Attempts go on while the server is away.
    await waitState(engine, 'early', (s) => s.state === 'reconnecting' && (s.attempt ?? 0) >= 2, 15_000);
    // A connection made meanwhile waits for the session.
    const during = roundTrip(local, Buffer.from('waited'));
    await sshd.restart();
    expect((await during).toString()).toBe('waited');
    await waitState(engine, 'early', (s) => s.state === 'active', 20_000);
  });

  it('fails at once for errors that will not heal, even when retrying (an unknown host key under yes, a refused key)', async () => {
    const sshd = await sshdForTest();
    const dir = tempDir();
    const engine = engineForTest();
    const empty = join(dir, 'known_hosts');
    writeFileSync(empty, '');
    engine.add('unknown', hostFor(sshd, { knownHostsFiles: [empty] }), {
      kind: 'local',
      listen: { host: '127.0.0.1', port: 0 },
      target: { host: '127.0.0.1', port: 1 },
    });
    await expect(engine.start('unknown')).rejects.toMatchObject({ code: 'HOSTKEY_UNKNOWN' });
    expect(engine.get('unknown').state.state).toBe('failed');
    const stranger = keygen(join(dir, 'stranger'));
    engine.add('stranger', hostFor(sshd, { identityFiles: [stranger] }), {
      kind: 'local',
      listen: { host: '127.0.0.1', port: 0 },
      target: { host: '127.0.0.1', port: 1 },
    });
    await expect(engine.start('stranger')).rejects.toMatchObject({ code: 'AUTH_FAILED' });
    expect(engine.get('stranger').state.state).toBe('failed');
  });

  it('a server that was down and then answers with an error that will not heal: given up at its first answer', async () => {
    const sshd = await sshdForTest();
    const dir = tempDir();
    const stranger = keygen(join(dir, 'stranger'));
    await sshd.stop();
    const engine = engineForTest();
    engine.add('s', hostFor(sshd, { identityFiles: [stranger] }), {
      kind: 'local',
      listen: { host: '127.0.0.1', port: 0 },
      target: { host: '127.0.0.1', port: 1 },
    });
    expect((await engine.start('s')).state.state).toBe('reconnecting');
    await sshd.restart();
    const failed = await waitState(engine, 's', (s) => s.state === 'failed', 20_000);
    expect(failed.reason).toMatchObject({ code: 'AUTH_FAILED' });
    expect(failed.reason!.message).toContain(`Methods tried: publickey (${stranger})`);
    expect(engine.logs('s').filter((l) => /Giving up on/.test(l.message))).toHaveLength(1);
  });

  it('with retryFirstConnect off (burrow connect) it fails at once, as ssh does', async () => {
    const closed = await freePort();
    const engine = engineForTest({ ...FAST, retryFirstConnect: false });
    engine.add('ff', testHost({ port: closed, knownHostsFiles: ['/dev/null'] }), {
      kind: 'local',
      listen: { host: '127.0.0.1', port: 0 },
      target: { host: '127.0.0.1', port: 1 },
    });
    await expect(engine.start('ff')).rejects.toMatchObject({ code: 'SSH_CONNECT_FAILED', message: expect.stringContaining('connection refused') });
    expect(engine.get('ff').state.state).toBe('failed');
    await new Promise((r) => setTimeout(r, 1500));
    expect(engine.get('ff').state.state).toBe('failed');
  });

  it('burrow connect to a server that is not there exits 1 at once with the reason', async () => {
    const closed = await freePort();
    const t0 = Date.now();
    const r = await burrowDone([
      'connect',
      '-L',
      `${await freePort()}:127.0.0.1:1`,
      '-o',
      'BatchMode=yes',
      '-o',
      'UserKnownHostsFile=/dev/null',
      '-p',
      String(closed),
      '-F',
      '/dev/null',
      'someone@127.0.0.1',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Could not connect to someone@127.0.0.1:${closed}: connection refused.`);
    expect(Date.now() - t0).toBeLessThan(20_000);
  });
});

/** A prompter that answers with `answer` and records every question. */
function counting(answer: (q: SecretQuestion) => string | null): { prompter: Prompter; asked: SecretQuestion[] } {
  const asked: SecretQuestion[] = [];
  return {
    asked,
    prompter: {
      hostKey: async () => 'reject',
      secret: async (q) => {
        asked.push(q);
        return answer(q);
      },
    },
  };
}

describe('remembered answers', () => {
  it('a key passphrase is asked once: reconnects after sshd restarts need nobody; stopping the forward forgets it', async () => {
    const sshd = await sshdForTest();
    const echo = await echoForTest();
    const dir = tempDir();
    const locked = keygen(join(dir, 'locked'), 'ed25519', 'open sesame');
    appendFileSync(join(sshd.dir, 'authorized_keys'), readFileSync(`${locked}.pub`));
    const { prompter, asked } = counting((q) => (q.kind === 'passphrase' ? 'open sesame' : null));
    const engine = engineForTest({ ...FAST, prompter });
    engine.add('pp', hostFor(sshd, { identityFiles: [locked], batchMode: false, tryKeyboardInteractive: false, passwordAuthentication: false }), {
      kind: 'local',
      listen: { host: '127.0.0.1', port: 0 },
      target: { host: '127.0.0.1', port: echo.port },
    });
    const local = port((await engine.start('pp')).state)!;
    expect(asked.map((q) => q.kind)).toEqual(['passphrase']);

    await sshd.restart();
    await waitState(engine, 'pp', (s) => s.state === 'reconnecting', 10_000);
    await waitState(engine, 'pp', (s) => s.state === 'active', 20_000);
    expect((await roundTrip(local, Buffer.from('unattended'))).toString()).toBe('unattended');
    expect(asked).toHaveLength(1);
    expect(engine.logs('pp').some((l) => /Reconnected/.test(l.message))).toBe(true);

    await engine.stop('pp');
    await engine.start('pp');
    expect(asked.map((q) => q.kind)).toEqual(['passphrase', 'passphrase']);
  });

  it('a password is remembered for reconnects; when the server refuses it (changed), it is dropped and asked again', async () => {
    let password = 'first secret';
    const conns = new Set<Connection>();
    const server: FakeServer = await startFakeServer({
      auth: (ctx, conn) => {
        conns.add(conn);
        conn.on('close', () => conns.delete(conn));
        if (ctx.method === 'password' && ctx.password === password) return ctx.accept();
        ctx.reject(['password']);
      },
    });
    undo.push(() => server.close());
    const answers = ['first secret', 'second secret'];
    const { prompter, asked } = counting((q) => (q.kind === 'password' ? (answers[asked.length - 1] ?? null) : null));
    const engine = engineForTest({ ...FAST, prompter });
    const h: HostConfig = testHost({
      port: server.port,
      knownHostsFiles: [server.knownHosts],
      identityFiles: ['/nonexistent/burrow-test-key'],
      batchMode: false,
      tryKeyboardInteractive: false,
    });
    engine.add('pw', h, { kind: 'local', listen: { host: '127.0.0.1', port: 0 }, target: { host: '127.0.0.1', port: 1 } });
    await engine.start('pw');
    expect(asked.map((q) => q.kind)).toEqual(['password']);

    // The server drops the connection: the reconnect logs in with the remembered password.
    for (const c of conns) c.end();
    await waitState(engine, 'pw', (s) => s.state === 'reconnecting', 10_000);
    await waitState(engine, 'pw', (s) => s.state === 'active', 20_000);
    expect(asked).toHaveLength(1);

    // The password changed: the remembered one is refused, dropped, and a person is asked again.
    password = 'second secret';
    for (const c of conns) c.end();
    await waitState(engine, 'pw', (s) => s.state === 'reconnecting', 10_000);
    await waitState(engine, 'pw', (s) => s.state === 'active', 20_000);
    expect(asked.map((q) => q.kind)).toEqual(['password', 'password']);
  });
});

describe('remembered answers over keyboard-interactive', () => {
  it("a PAM-style 'Password:' question is answered from memory on reconnect; the one-time code is asked again", async () => {
    const conns = new Set<Connection>();
    const server: FakeServer = await startFakeServer({
      auth: (ctx, conn) => {
        conns.add(conn);
        conn.on('close', () => conns.delete(conn));
        if (ctx.method !== 'keyboard-interactive') return ctx.reject(['keyboard-interactive']);
        ctx.prompt(
          [
            { prompt: 'Password: ', echo: false },
            { prompt: 'Verification code: ', echo: false },
          ],
          (answers) => (answers[0] === 'pam secret' && answers[1] === '123456' ? ctx.accept() : ctx.reject(['keyboard-interactive'])),
        );
      },
    });
    undo.push(() => server.close());
    const { prompter, asked } = counting((q) => (q.kind === 'password' ? 'pam secret' : '123456'));
    const engine = engineForTest({ ...FAST, prompter });
    const h: HostConfig = testHost({
      port: server.port,
      knownHostsFiles: [server.knownHosts],
      identityFiles: ['/nonexistent/burrow-test-key'],
      batchMode: false,
    });
    engine.add('pam', h, { kind: 'local', listen: { host: '127.0.0.1', port: 0 }, target: { host: '127.0.0.1', port: 1 } });
    await engine.start('pam');
    expect(asked.map((q) => q.kind)).toEqual(['password', 'otp']);

    for (const c of conns) c.end();
    await waitState(engine, 'pam', (st) => st.state === 'reconnecting', 10_000);
    await waitState(engine, 'pam', (st) => st.state === 'active', 20_000);
    expect(asked.map((q) => q.kind)).toEqual(['password', 'otp', 'otp']);
  });
});

describe('ConnectTimeout on the jump step', () => {
  /**
   * A port whose connects hang: a listener with a full accept queue in a stopped
   * process, so that the kernel drops further SYNs (as a firewall would).
   */
  async function blackhole(): Promise<number> {
    const child: ChildProcess = spawn(
      process.execPath,
      ['-e', "const s=require('net').createServer();s.listen({port:0,host:'127.0.0.1',backlog:1},()=>console.log(s.address().port))"],
      {
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    undo.push(() => child.kill('SIGKILL'));
    const p = await new Promise<number>((resolve) => child.stdout!.once('data', (d) => resolve(Number(String(d).trim()))));
    process.kill(child.pid!, 'SIGSTOP');
    for (let i = 0; i < 8; i++) {
      const s = net.connect(p, '127.0.0.1');
      s.on('error', () => undefined);
      undo.push(() => s.destroy());
      const connected = await new Promise<boolean>((resolve) => {
        const t = setTimeout(() => resolve(false), 1000);
        s.once('connect', () => (clearTimeout(t), resolve(true)));
      });
      if (!connected) return p;
    }
    throw new Error('could not fill the accept queue');
  }

  it('a next hop that never answers the bastion fails after ConnectTimeout, naming the hop', async () => {
    const bastion = await sshdForTest();
    const hole = await blackhole();
    const engine = engineForTest({ ...FAST, retryFirstConnect: false });
    const target = testHost({
      hostname: '127.0.0.1',
      port: hole,
      user: bastion.user,
      identityFiles: [bastion.userKey],
      knownHostsFiles: [bastion.knownHosts],
      connectTimeout: 2,
      jump: [hostFor(bastion, { connectTimeout: 2 })],
    });
    engine.add('j', target, { kind: 'local', listen: { host: '127.0.0.1', port: 0 }, target: { host: '127.0.0.1', port: 1 } });
    const t0 = Date.now();
    const err = (await engine.start('j').catch((e: BurrowError) => e)) as BurrowError;
    const took = Date.now() - t0;
    expect(err.code).toBe('SSH_TIMEOUT');
    expect(err.message).toBe(
      `The jump host test-sshd (${bastion.user}@127.0.0.1:${bastion.port}) could not reach the next hop 127.0.0.1:${hole} within 2 s (ConnectTimeout). 127.0.0.1 may be down or firewalled from the jump host, or the address or port is wrong.`,
    );
    expect(took).toBeGreaterThanOrEqual(1900);
    expect(took).toBeLessThan(15_000);
  });
});

describe('IdentitiesOnly and the agent', () => {
  function startAgent(dir: string): Promise<string> {
    const sock = join(dir, 'agent.sock');
    const agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
    undo.push(() => agent.kill('SIGKILL'));
    return new Promise((resolve, reject) => {
      const deadline = Date.now() + 10_000;
      const check = () => {
        const s = net.connect(sock);
        s.once('connect', () => (s.destroy(), resolve(sock)));
        s.once('error', () => (Date.now() > deadline ? reject(new Error('ssh-agent did not start')) : setTimeout(check, 50)));
      };
      check();
    });
  }

  it("uses the agent's copy of a listed key (no passphrase needed), and none of the agent's other keys", async () => {
    const sshd = await sshdForTest();
    const echo = await echoForTest();
    const dir = tempDir();
    const sock = await startAgent(dir);
    // A passphrase-protected key, authorised, whose plain copy is in the agent; no .pub beside it.
    const locked = keygen(join(dir, 'locked'), 'ed25519', 'only the agent knows');
    appendFileSync(join(sshd.dir, 'authorized_keys'), readFileSync(`${locked}.pub`));
    const plain = join(dir, 'plain');
    copyFileSync(locked, plain);
    execFileSync('ssh-keygen', ['-q', '-p', '-P', 'only the agent knows', '-N', '', '-f', plain]);
    rmSync(`${locked}.pub`);
    execFileSync('ssh-add', ['-q', plain], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'ignore' });
    // The agent also holds the server's usual user key, which is not listed.
    execFileSync('ssh-add', ['-q', sshd.userKey], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'ignore' });

    const engine = engineForTest({ ...FAST, retryFirstConnect: false });
    engine.add('agent', hostFor(sshd, { identityFiles: [locked], identitiesOnly: true, agent: sock, batchMode: true }), {
      kind: 'local',
      listen: { host: '127.0.0.1', port: 0 },
      target: { host: '127.0.0.1', port: echo.port },
    });
    const local = port((await engine.start('agent')).state)!;
    expect((await roundTrip(local, Buffer.from('via the agent'))).toString()).toBe('via the agent');

    // A listed key the agent does not hold: the agent's other (authorised) key is not offered.
    const stranger = keygen(join(dir, 'stranger'));
    engine.add('only', hostFor(sshd, { identityFiles: [stranger], identitiesOnly: true, agent: sock }), {
      kind: 'local',
      listen: { host: '127.0.0.1', port: 0 },
      target: { host: '127.0.0.1', port: 1 },
    });
    const err = (await engine.start('only').catch((e: BurrowError) => e)) as BurrowError;
    expect(err.code).toBe('AUTH_FAILED');
    expect(err.message).toContain(`Methods tried: publickey (${stranger})`);
  });
});

describe('an agent that cannot be reached', () => {
  it('is passed over: the key file still logs in', async () => {
    const sshd = await sshdForTest();
    const echo = await echoForTest();
    const dir = tempDir();
    const engine = engineForTest({ ...FAST, retryFirstConnect: false });
    engine.add('stale', hostFor(sshd, { identitiesOnly: false, agent: join(dir, 'no-agent-here.sock') }), {
      kind: 'local',
      listen: { host: '127.0.0.1', port: 0 },
      target: { host: '127.0.0.1', port: echo.port },
    });
    const local = port((await engine.start('stale')).state)!;
    expect((await roundTrip(local, Buffer.from('no agent'))).toString()).toBe('no agent');
  });
});

describe('reconnectAll() on a silently dead session', () => {
  it('probes the session and reconnects within seconds, not after the keepalive bound', async () => {
    const sshd = await sshdForTest();
    const echo = await echoForTest();
    const engine = engineForTest();
    // Keepalive as shipped: a dead server would be noticed only after 60 s (15 s x (3 + 1)).
    engine.add('sleepy', hostFor(sshd, { serverAliveInterval: 15, serverAliveCountMax: 3, connectTimeout: 15 }), {
      kind: 'local',
      listen: { host: '127.0.0.1', port: 0 },
      target: { host: '127.0.0.1', port: echo.port },
    });
    const local = port((await engine.start('sleepy')).state)!;
    expect((await roundTrip(local, Buffer.from('awake'))).toString()).toBe('awake');
    // Freeze only the sshd processes serving this session (as after sleep: the socket is
    // open, nobody answers); the listener still takes new connections.
    const serving = descendants(sshd.process.pid!);
    expect(serving.length).toBeGreaterThan(0);
    serving.forEach((p) => process.kill(p, 'SIGSTOP'));
    undo.push(() =>
      serving.forEach((p) => {
        try {
          process.kill(p, 'SIGKILL');
        } catch {
          /* gone */
        }
      }),
    );

    const t0 = Date.now();
    engine.reconnectAll();
    const down = await waitState(engine, 'sleepy', (s) => s.state === 'reconnecting', 20_000);
    expect(Date.now() - t0).toBeLessThan(12_000);
    expect(down.reason).toMatchObject({ code: 'SSH_TIMEOUT' });
    expect(down.reason!.message).toMatch(/did not answer/);
    await waitState(engine, 'sleepy', (s) => s.state === 'active', 20_000);
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect((await roundTrip(local, Buffer.from('back'))).toString()).toBe('back');
  });

  it('leaves a live session alone', async () => {
    const sshd = await sshdForTest();
    const echo = await echoForTest();
    const engine = engineForTest();
    engine.add('fine', hostFor(sshd), { kind: 'local', listen: { host: '127.0.0.1', port: 0 }, target: { host: '127.0.0.1', port: echo.port } });
    await engine.start('fine');
    const states: string[] = [];
    engine.on('state', (_id, s) => states.push(s.state));
    engine.reconnectAll();
    engine.reconnectAll();
    await new Promise((r) => setTimeout(r, 3000));
    expect(states).toEqual([]);
    expect(engine.get('fine').state.state).toBe('active');
  });
});
