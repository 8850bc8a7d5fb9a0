// Servers that want two factors (sshd's AuthenticationMethods "password,publickey"
// or "publickey,keyboard-interactive"): each success but the last is partial, and
// the engine goes on with what the server still wants, in either order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2, { type AuthContext, type AuthenticationType, type Connection } from 'ssh2';
import { TunnelEngine } from '../../../electron/tunnels/engine';
import type { HostConfig, Prompter, SecretQuestion } from '../../../electron/tunnels/types';
import { BurrowError } from '../../../shared/errors';
import { keygen } from '../../support/sshd';
import { testHost } from '../../support/hosts';
import { connectTcpip, startFakeServer, type FakeServer } from '../../support/ssh2-server';
import { echoServer, roundTrip, type TestServer } from '../../support/tcp';
import { boundOf } from '../../../shared/tunnel-state';

const PASSWORD = 'correct horse';
const CODE = '424242';
let echo: TestServer;
let goodKey: string;
const engines: TunnelEngine[] = [];
const servers: FakeServer[] = [];

/** What each connection has passed so far, and every method it was offered, in order. */
const passed = new WeakMap<Connection, Set<string>>();
const offered: string[] = [];

function keyMatches(ctx: AuthContext & { method: 'publickey' }): boolean {
  const authorized = ssh2.utils.parseKey(readFileSync(`${goodKey}.pub`));
  if (authorized instanceof Error) throw authorized;
  if (ctx.key.algo !== authorized.type || !ctx.key.data.equals(authorized.getPublicSSH())) return false;
  // Without a signature the client only asks whether the key would do.
  return !ctx.signature || authorized.verify(ctx.blob!, ctx.signature, ctx.hashAlgo) === true;
}

/** An sshd-like AuthenticationMethods check for one list of methods. */
function requireAll(methods: AuthenticationType[]) {
  return (ctx: AuthContext, conn: Connection) => {
    offered.push(ctx.method);
    const done = passed.get(conn) ?? new Set<string>();
    passed.set(conn, done);
    const left = () => methods.filter((m) => !done.has(m));
    const wanted = left()[0];
    const pass = () => {
      done.add(ctx.method);
      if (left().length === 0) ctx.accept();
      else ctx.reject(left().slice(0, 1), true);
    };
    if (ctx.method !== wanted) return ctx.reject([wanted], false);
    if (ctx.method === 'password') return ctx.password === PASSWORD ? pass() : ctx.reject([wanted]);
    if (ctx.method === 'publickey') {
      if (!keyMatches(ctx)) return ctx.reject([wanted]);
      return ctx.signature ? pass() : ctx.accept();
    }
    if (ctx.method === 'keyboard-interactive') {
      return ctx.prompt([{ prompt: 'Verification code: ', echo: false }], (answers) => (answers[0] === CODE ? pass() : ctx.reject([wanted])));
    }
    ctx.reject([wanted]);
  };
}

async function serverWanting(methods: AuthenticationType[]): Promise<FakeServer> {
  const s = await startFakeServer({
    auth: requireAll(methods),
    tcpip: connectTcpip,
  });
  servers.push(s);
  return s;
}

function host(server: FakeServer, over: Partial<HostConfig> = {}): HostConfig {
  return testHost({
    alias: 'two-factor',
    port: server.port,
    user: 'alice',
    identityFiles: [goodKey],
    knownHostsFiles: [server.knownHosts],
    batchMode: false,
    ...over,
  });
}

function answering(asked: SecretQuestion[]): Prompter {
  return {
    hostKey: async () => 'reject',
    secret: async (q) => {
      asked.push(q);
      if (q.kind === 'otp') return CODE;
      return q.kind === 'password' ? PASSWORD : null;
    },
  };
}

async function startThrough(h: HostConfig, prompter: Prompter) {
  const e = new TunnelEngine({ prompter });
  engines.push(e);
  e.add('fwd', h, { kind: 'local', listen: { host: '127.0.0.1', port: 0 }, target: { host: '127.0.0.1', port: echo.port } });
  const info = await e.start('fwd');
  return { e, info };
}

beforeAll(async () => {
  echo = await echoServer();
  goodKey = keygen(join(mkdtempSync(join(tmpdir(), 'burrow-2fa-')), 'id_ed25519'));
});

afterAll(async () => {
  await Promise.all(engines.map((e) => e.shutdown()));
  await echo.close();
  await Promise.all(servers.map((s) => s.close()));
});

describe('authentication that needs two methods (partial success)', () => {
  it('password first, then the key: the key is not spent before the server wants it', async () => {
    const server = await serverWanting(['password', 'publickey']);
    const asked: SecretQuestion[] = [];
    offered.length = 0;
    const { e, info } = await startThrough(host(server), answering(asked));
    expect(info.state.state).toBe('active');
    // "none" first (as OpenSSH), so the key is not offered to a server that wants the password first.
    expect(offered.slice(0, 3)).toEqual(['none', 'password', 'publickey']);
    expect(asked.map((q) => q.kind)).toEqual(['password']);
    const port = (boundOf(e.get('fwd').state) as { port: number }).port;
    expect((await roundTrip(port, Buffer.from('two factors'))).toString()).toBe('two factors');
  });

  it('the key first, then a one-time code', async () => {
    const server = await serverWanting(['publickey', 'keyboard-interactive']);
    const asked: SecretQuestion[] = [];
    const { info } = await startThrough(host(server), answering(asked));
    expect(info.state.state).toBe('active');
    expect(asked.map((q) => q.kind)).toEqual(['otp']);
  });

  it('a password the server never asks for is never asked of the person', async () => {
    const server = await serverWanting(['publickey']);
    const asked: SecretQuestion[] = [];
    const { info } = await startThrough(host(server), answering(asked));
    expect(info.state.state).toBe('active');
    expect(asked).toEqual([]);
  });

  it('the key from ssh-agent, then a password: the password is still offered after the agent', async () => {
    const server = await serverWanting(['publickey', 'password']);
    const dir = mkdtempSync(join(tmpdir(), 'burrow-2fa-agent-'));
    const sock = join(dir, 'agent.sock');
    const agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
    try {
      for (let i = 0; i < 100 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 50));
      execFileSync('ssh-add', ['-q', goodKey], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'ignore' });
      const asked: SecretQuestion[] = [];
      offered.length = 0;
      const { info } = await startThrough(host(server, { agent: sock, identityFiles: [], identitiesOnly: false }), answering(asked));
      expect(info.state.state).toBe('active');
      expect(asked.map((q) => q.kind)).toEqual(['password']);
      expect(offered).toContain('password');
    } finally {
      agent.kill();
    }
  });

  it('fails clearly when the second factor cannot be given', async () => {
    const server = await serverWanting(['publickey', 'password']);
    const e = new TunnelEngine({ prompter: undefined });
    engines.push(e);
    e.add('fwd', host(server, { batchMode: true }), { kind: 'local', listen: { host: '127.0.0.1', port: 0 }, target: { host: '127.0.0.1', port: echo.port } });
    const err = (await e.start('fwd').catch((x) => x)) as BurrowError;
    expect(err).toBeInstanceOf(BurrowError);
    expect(err.code).toBe('AUTH_FAILED');
    expect(err.message).toContain(`Methods tried: publickey (${goodKey}).`);
    expect(err.message).toContain('The server also accepts password');
    expect(err.message).toContain('BatchMode=yes forbids asking');
  });
});
