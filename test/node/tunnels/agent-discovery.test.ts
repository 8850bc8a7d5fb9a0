// Finding the ssh agent: SSH_AUTH_SOCK everywhere; on Windows the OpenSSH agent's
// named pipe, then Pageant's. Windows cannot run here, so the probes are injected;
// the Unix path is exercised with a real ssh-agent and a real sshd.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discoverAgent, OPENSSH_AGENT_PIPE } from '../../../electron/tunnels/auth';
import { TunnelEngine } from '../../../electron/tunnels/engine';
import { cleanup, startSshd, type Sshd } from '../../support/sshd';
import { hostFor } from '../../support/hosts';
import { echoServer, roundTrip, type TestServer } from '../../support/tcp';
import { boundOf } from '../../../shared/tunnel-state';

const HASH = 'a3f1'.repeat(16);
const nothing = () => false;

describe('discoverAgent', () => {
  it('uses SSH_AUTH_SOCK first, on every platform', () => {
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      expect(
        discoverAgent(
          { SSH_AUTH_SOCK: '/tmp/agent.sock' },
          platform,
          () => true,
          () => [`pageant.me.${HASH}`],
        ),
      ).toBe('/tmp/agent.sock');
    }
  });

  it('finds nothing on Unix without SSH_AUTH_SOCK (an empty one counts as unset)', () => {
    expect(discoverAgent({}, 'linux', () => true)).toBeUndefined();
    expect(discoverAgent({ SSH_AUTH_SOCK: '' }, 'darwin', () => true)).toBeUndefined();
  });

  it('on Windows prefers the OpenSSH agent named pipe when it exists', () => {
    const probed: string[] = [];
    const found = discoverAgent(
      { USERNAME: 'me' },
      'win32',
      (p) => (probed.push(p), true),
      () => [`pageant.me.${HASH}`],
    );
    expect(found).toBe('\\\\.\\pipe\\openssh-ssh-agent');
    expect(found).toBe(OPENSSH_AGENT_PIPE);
    expect(probed).toEqual(['\\\\.\\pipe\\openssh-ssh-agent']);
  });

  it("then Pageant's named pipe for this user", () => {
    const pipes = ['openssh-something-else', `pageant.someone.${HASH}`, `pageant.Me.${HASH}`, 'mojo.1234'];
    expect(discoverAgent({ USERNAME: 'me' }, 'win32', nothing, () => pipes)).toBe(`\\\\.\\pipe\\pageant.Me.${HASH}`);
  });

  it("ignores other users' Pageant pipes and names that are not Pageant's", () => {
    const pipes = [`pageant.someone.${HASH}`, 'pageant.me.not-a-hash', `pageant.me.${HASH.slice(2)}`];
    expect(discoverAgent({ USERNAME: 'me' }, 'win32', nothing, () => pipes)).toBe('pageant');
  });

  it('falls back to the window-message Pageant route when no pipe is found or pipes cannot be listed', () => {
    expect(discoverAgent({ USERNAME: 'me' }, 'win32', nothing, () => [])).toBe('pageant');
    expect(
      discoverAgent({ USERNAME: 'me' }, 'win32', nothing, () => {
        throw new Error('EPERM');
      }),
    ).toBe('pageant');
  });

  it('produces pipe paths in the form ssh2 treats as a named pipe (agent protocol, not Cygwin)', () => {
    // ssh2/lib/agent.js: WINDOWS_PIPE_REGEX decides between OpenSSHAgent and Cygwin/Pageant.
    const rule = /^[/\\][/\\]\.[/\\]pipe[/\\].+/;
    expect(OPENSSH_AGENT_PIPE).toMatch(rule);
    expect(discoverAgent({ USERNAME: 'me' }, 'win32', nothing, () => [`pageant.me.${HASH}`])).toMatch(rule);
  });
});

describe('the discovered agent authenticates a real session', () => {
  let sshd: Sshd;
  let echo: TestServer;
  let agent: ChildProcess;
  let sock: string;
  const saved = process.env.SSH_AUTH_SOCK;

  beforeAll(async () => {
    sshd = await startSshd();
    echo = await echoServer();
    sock = join(mkdtempSync(join(tmpdir(), 'burrow-agent-')), 'agent.sock');
    agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
    agent.on('error', () => undefined);
    for (let i = 0; i < 200 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 25));
    execFileSync('ssh-add', ['-q', sshd.userKey], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'ignore' });
  });

  afterAll(async () => {
    if (saved === undefined) delete process.env.SSH_AUTH_SOCK;
    else process.env.SSH_AUTH_SOCK = saved;
    agent?.kill();
    await echo.close();
    await cleanup(sshd);
  });

  it('logs in with the key held by the agent at SSH_AUTH_SOCK, with no identity file given', async () => {
    process.env.SSH_AUTH_SOCK = sock;
    expect(discoverAgent()).toBe(sock);
    const e = new TunnelEngine();
    try {
      // agent undefined: discover it. No identity files and nothing to ask: only the agent can work.
      e.add('a', hostFor(sshd, { agent: undefined, identityFiles: [sshd.dir + '/no-such-key'], identitiesOnly: false }), {
        kind: 'local',
        listen: { host: '127.0.0.1', port: 0 },
        target: { host: '127.0.0.1', port: echo.port },
      });
      const info = await e.start('a');
      const port = (boundOf(info.state) as { port: number }).port;
      expect((await roundTrip(port, Buffer.from('agent'))).toString()).toBe('agent');
      expect(sshd.log()).toMatch(/Accepted publickey for \S+ from 127\.0\.0\.1/);
    } finally {
      await e.shutdown();
    }
  });
});
