// Password logins against a real sshd (its own copy of the shadow file, in a
// mount namespace of its own): a wrong password is asked again, as ssh does
// ("Permission denied, please try again."), up to 3 times or the server's limit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TunnelEngine } from '../../../electron/tunnels/engine';
import type { HostConfig, Prompter, SecretQuestion } from '../../../electron/tunnels/types';
import { connect } from '../../../electron/cli/connect';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, freePort, keygen, startPasswordSshd, type Sshd } from '../../support/sshd';
import { hostFor } from '../../support/hosts';
import { echoServer, roundTrip, type TestServer } from '../../support/tcp';
import { fakeTerminal } from '../../support/cli-in-process';
import { boundPort } from '../../support/engine-state';

const PASSWORD = 'correct horse';
const AGAIN = 'Permission denied, please try again.';
let sshd: Sshd;
/** The same, but sshd hangs up after two failed attempts (MaxAuthTries 2). */
let strict: Sshd;
let echo: TestServer;
const engines: TunnelEngine[] = [];

const passwordOnly = (s: Sshd, over: Partial<HostConfig> = {}) =>
  hostFor(s, { identityFiles: [], identitiesOnly: true, agent: null, tryKeyboardInteractive: false, batchMode: false, ...over });

beforeAll(async () => {
  [sshd, strict, echo] = await Promise.all([startPasswordSshd(PASSWORD), startPasswordSshd(PASSWORD, ['MaxAuthTries 2']), echoServer()]);
});

afterAll(async () => {
  await Promise.all(engines.map((e) => e.shutdown()));
  await echo.close();
  await cleanup(sshd);
  await cleanup(strict);
});

/** Answers the password questions in turn (null = cancel), recording them. */
const typing = (list: Array<string | null>, asked: SecretQuestion[]): Prompter => ({
  hostKey: async () => 'reject',
  secret: async (q) => {
    asked.push(q);
    if (asked.length > list.length) throw new Error(`asked more than expected: ${q.prompt}`);
    return list[asked.length - 1];
  },
});

async function works(host: HostConfig, prompter: Prompter) {
  const e = new TunnelEngine({ prompter });
  engines.push(e);
  const id = `p${engines.length}`;
  e.add(id, host, { kind: 'local', listen: { host: '127.0.0.1', port: 0 }, target: { host: '127.0.0.1', port: echo.port } });
  const port = boundPort(await e.start(id));
  return (await roundTrip(port, Buffer.from('logged in'))).toString();
}

describe('password logins', () => {
  it('a wrong password is asked again with "Permission denied, please try again."', async () => {
    const asked: SecretQuestion[] = [];
    expect(await works(passwordOnly(sshd), typing(['wrong', 'typo', PASSWORD], asked))).toBe('logged in');
    expect(asked.map((q) => [q.kind, q.prompt, q.retry])).toEqual([
      ['password', `${sshd.user}@127.0.0.1's password: `, undefined],
      ['password', `${sshd.user}@127.0.0.1's password: `, AGAIN],
      ['password', `${sshd.user}@127.0.0.1's password: `, AGAIN],
    ]);
  });

  it('after 3 wrong passwords it fails saying the password was refused, not about keys', async () => {
    const asked: SecretQuestion[] = [];
    await expect(works(passwordOnly(sshd), typing(['a', 'b', 'c', 'd'], asked))).rejects.toMatchObject({
      code: 'AUTH_FAILED',
      message: `Permission denied: the server refused the password for ${sshd.user}@127.0.0.1 (3 times). Check the user name and the password. Methods tried: password.`,
    });
    expect(asked).toHaveLength(3);
  });

  it('a saved password the server refuses is asked for (the app dialog case), and says so', async () => {
    const asked: SecretQuestion[] = [];
    expect(await works(passwordOnly(sshd, { password: 'out of date' }), typing([PASSWORD], asked))).toBe('logged in');
    expect(asked.map((q) => q.retry)).toEqual([AGAIN]);
  });

  it('stops asking when the server hangs up (MaxAuthTries), with the same message', async () => {
    const asked: SecretQuestion[] = [];
    await expect(works(passwordOnly(strict), typing(['a', 'b', 'c'], asked))).rejects.toMatchObject({
      code: 'AUTH_FAILED',
      message: `Permission denied: the server refused the password for ${strict.user}@127.0.0.1 (2 times). Check the user name and the password. Methods tried: password. The server then closed the connection (Too many authentication failures).`,
    });
    expect(asked).toHaveLength(2);
  });

  it('an encrypted key offered by its public half, then a password (AuthenticationMethods publickey,password)', async () => {
    const twoStep = await startPasswordSshd(PASSWORD, ['AuthenticationMethods publickey,password']);
    try {
      const key = keygen(join(twoStep.dir, 'locked_key'), 'ed25519', 'open sesame');
      appendFileSync(join(twoStep.dir, 'authorized_keys'), readFileSync(`${key}.pub`));
      const asked: SecretQuestion[] = [];
      expect(await works(passwordOnly(twoStep, { identityFiles: [key] }), typing(['open sesame', PASSWORD], asked))).toBe('logged in');
      expect(asked.map((q) => q.kind)).toEqual(['passphrase', 'password']);
      expect(twoStep.log()).toMatch(/Partial publickey/);
    } finally {
      await cleanup(twoStep);
    }
  });

  it('burrow connect asks again on the terminal, as ssh does', async () => {
    const port = await freePort();
    const term = fakeTerminal([
      [/password: $/, 'wrong'],
      [new RegExp(`${AGAIN}\\n[^\\n]*password: $`), PASSWORD],
    ]);
    const done = connect(
      [
        '-L',
        `${port}:127.0.0.1:${echo.port}`,
        '-o',
        'IdentitiesOnly=yes',
        '-o',
        'IdentityAgent=none',
        '-o',
        `UserKnownHostsFile=${sshd.knownHosts}`,
        '-F',
        '/dev/null',
        '-p',
        String(sshd.port),
        `${sshd.user}@127.0.0.1`,
      ],
      term.io,
    );
    await new Promise<void>((resolve, reject) => {
      const t = setInterval(() => {
        if (term.stderr().includes('listening on')) resolve();
        else if (/error|failed/.test(term.stderr())) reject(new Error(term.stderr()));
        else return;
        clearInterval(t);
      }, 25);
    });
    expect((await roundTrip(port, Buffer.from('cli'))).toString()).toBe('cli');
    term.stop('SIGINT');
    expect(await done).toBe(0);
    expect(term.stderr()).toContain(`${sshd.user}@127.0.0.1's password: \n${AGAIN}\n${sshd.user}@127.0.0.1's password: `);
  });
});
