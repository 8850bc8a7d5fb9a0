// Keyboard-interactive authentication (one-time codes, 2FA) against an in-process
// ssh2 Server: the engine asks through its Prompter, the CLI asks on a terminal,
// and BatchMode=yes fails with a message that says why.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuthContext } from 'ssh2';
import { TunnelEngine } from '../../../electron/tunnels/engine';
import type { HostConfig, Prompter, SecretQuestion } from '../../../electron/tunnels/types';
import { BurrowError } from '../../../shared/errors';
import { connect } from '../../../electron/cli/connect';
import { freePort, keygen } from '../../support/sshd';
import { testHost } from '../../support/hosts';
import { connectTcpip, startFakeServer, type FakeServer } from '../../support/ssh2-server';
import { echoServer, roundTrip, type TestServer } from '../../support/tcp';
import { burrowDone } from '../../support/cli';
import { fakeTerminal } from '../../support/cli-in-process';
import { boundPort } from '../../support/engine-state';

const CODE = '123456';
let server: FakeServer;
let echo: TestServer;
let wrongKey: string;
/** What the server saw: each round's answers. */
const rounds: string[][] = [];
const engines: TunnelEngine[] = [];

/** Password first, then a one-time code, in one round: as PAM with 2FA asks. */
function otpAuth(ctx: AuthContext) {
  if (ctx.method !== 'keyboard-interactive') return ctx.reject(['publickey', 'keyboard-interactive']);
  ctx.prompt(
    [
      { prompt: 'Password: ', echo: false },
      { prompt: 'Verification code: ', echo: false },
    ],
    'Two-factor login',
    (answers) => {
      rounds.push(answers);
      if (ctx.username === 'alice' && answers[0] === 'pw' && answers[1] === CODE) ctx.accept();
      else ctx.reject(['publickey', 'keyboard-interactive']);
    },
  );
}

function host(over: Partial<HostConfig> = {}): HostConfig {
  // A key the server does not accept, so publickey is tried first and refused.
  return testHost({
    alias: 'otp-server',
    port: server.port,
    user: 'alice',
    identityFiles: [wrongKey],
    knownHostsFiles: [server.knownHosts],
    batchMode: false,
    ...over,
  });
}

function answering(answers: Record<string, string | null>, asked: SecretQuestion[], delayMs = 0): Prompter {
  return {
    hostKey: async () => 'reject',
    secret: async (q) => {
      asked.push(q);
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
      const key = Object.keys(answers).find((k) => q.prompt.includes(k));
      return key === undefined ? null : answers[key];
    },
  };
}

async function startLocal(prompter: Prompter | undefined, h: HostConfig) {
  const e = new TunnelEngine({ prompter });
  engines.push(e);
  e.add('otp', h, { kind: 'local', listen: { host: '127.0.0.1', port: 0 }, target: { host: '127.0.0.1', port: echo.port } });
  return { e, start: e.start('otp') };
}

beforeAll(async () => {
  echo = await echoServer();
  wrongKey = keygen(join(mkdtempSync(join(tmpdir(), 'burrow-kbd-')), 'not_authorized'));
  server = await startFakeServer({
    auth: otpAuth,
    tcpip: connectTcpip,
  });
});

afterAll(async () => {
  await Promise.all(engines.map((e) => e.shutdown()));
  await echo.close();
  await server.close();
});

describe('keyboard-interactive through the engine', () => {
  it('asks the prompter for each prompt, hidden, and logs in with the answers', async () => {
    const asked: SecretQuestion[] = [];
    const { e, start } = await startLocal(answering({ 'Password:': 'pw', 'Verification code:': CODE }, asked), host());
    const info = await start;
    expect(info.state.state).toBe('active');
    expect(asked.map((q) => [q.kind, q.subject, q.echo])).toEqual([
      ['password', 'alice@127.0.0.1', false],
      ['otp', 'alice@127.0.0.1', false],
    ]);
    expect(asked[1].prompt).toContain('Verification code: ');
    expect(rounds.at(-1)).toEqual(['pw', CODE]);
    const port = boundPort(e.get('otp'));
    expect((await roundTrip(port, Buffer.from('after 2FA'))).toString()).toBe('after 2FA');
  });

  it('does not count the time a person takes to type the code against ConnectTimeout', async () => {
    const asked: SecretQuestion[] = [];
    // ConnectTimeout 1 s; the person takes 1.5 s to answer.
    const { start } = await startLocal(answering({ 'Password:': 'pw', 'Verification code:': CODE }, asked, 750), host({ connectTimeout: 1 }));
    expect((await start).state.state).toBe('active');
  });

  it('asks again after a mistyped code, as OpenSSH does', async () => {
    const codes = ['999999', CODE];
    const asked: SecretQuestion[] = [];
    const prompter: Prompter = {
      hostKey: async () => 'reject',
      secret: async (q) => {
        asked.push(q);
        return q.prompt.includes('Password:') ? 'pw' : codes.shift()!;
      },
    };
    const { start } = await startLocal(prompter, host());
    expect((await start).state.state).toBe('active');
    expect(asked.filter((q) => q.kind === 'otp')).toHaveLength(2);
  });

  it('fails with AUTH_FAILED naming the methods tried after three wrong codes', async () => {
    const before = rounds.length;
    const { start } = await startLocal(answering({ 'Password:': 'pw', 'Verification code:': '000000' }, []), host());
    const err = (await start.catch((x) => x)) as BurrowError;
    expect(rounds.length - before).toBe(3);
    expect(err.code).toBe('AUTH_FAILED');
    expect(err.message).toContain(`Authentication failed for alice@127.0.0.1. Methods tried: publickey (${wrongKey}), keyboard-interactive.`);
  });

  it('fails cleanly, without asking again, when the person cancels the prompt', async () => {
    const asked: SecretQuestion[] = [];
    const { start, e } = await startLocal(answering({}, asked), host());
    const err = (await start.catch((x) => x)) as BurrowError;
    expect(asked).toHaveLength(1);
    expect(err.code).toBe('AUTH_FAILED');
    expect(err.message).toBe(
      `Login to alice@127.0.0.1 was cancelled: the question from the server was not answered, so nothing was sent. Start the forward again to be asked again.`,
    );
    expect(e.get('otp').state.state).toBe('failed');
  });

  it('with BatchMode=yes never asks, and says the server wants a person', async () => {
    const asked: SecretQuestion[] = [];
    const { start } = await startLocal(answering({ 'Password:': 'pw', 'Verification code:': CODE }, asked), host({ batchMode: true }));
    const err = (await start.catch((x) => x)) as BurrowError;
    expect(asked).toEqual([]);
    expect(err.code).toBe('AUTH_FAILED');
    expect(err.message).toContain(`Methods tried: publickey (${wrongKey}).`);
    expect(err.message).toContain(
      'The server also accepts keyboard-interactive (e.g. a one-time code), which needs a person to answer, but BatchMode=yes forbids asking.',
    );
  });
});

describe('keyboard-interactive in burrow connect', () => {
  const args = (port: number, extra: string[] = []) => [
    '-L',
    `${port}:127.0.0.1:${echo.port}`,
    '-i',
    wrongKey,
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'IdentityAgent=none',
    '-o',
    `UserKnownHostsFile=${server.knownHosts}`,
    '-o',
    'StrictHostKeyChecking=yes',
    '-F',
    '/dev/null',
    '-p',
    String(server.port),
    ...extra,
    'alice@127.0.0.1',
  ];

  it('prompts on the terminal, then forwards', async () => {
    const port = await freePort();
    const term = fakeTerminal([
      [/Password: $/, 'pw'],
      [/Verification code: $/, CODE],
    ]);
    const done = connect(args(port), term.io);
    await new Promise<void>((resolve, reject) => {
      const t = setInterval(() => {
        if (term.stderr().includes('listening on')) resolve();
        else if (term.stderr().includes('error')) reject(new Error(term.stderr()));
        else return;
        clearInterval(t);
      }, 25);
    });
    expect((await roundTrip(port, Buffer.from('cli otp'))).toString()).toBe('cli otp');
    term.stop('SIGINT');
    expect(await done).toBe(0);
    expect(term.stderr()).toContain('Two-factor login');
  });

  it('with -o BatchMode=yes exits 1 with a clear AUTH_FAILED', async () => {
    const r = await burrowDone(['connect', '--json', ...args(await freePort(), ['-o', 'BatchMode=yes'])]);
    expect(r.code).toBe(1);
    const err = r.events.find((e) => e.event === 'error');
    expect(err).toMatchObject({ code: 'AUTH_FAILED' });
    expect(err!.message).toContain('BatchMode=yes forbids asking');
  });
});
