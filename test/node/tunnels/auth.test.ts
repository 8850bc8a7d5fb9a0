// Authentication against a real sshd: the agent, OpenSSH and PEM keys with passphrases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TunnelEngine } from '../../../electron/tunnels/engine';
import type { Prompter, SecretQuestion } from '../../../electron/tunnels/types';
import { cleanup, keygen, startSshd, type Sshd } from '../../support/sshd';
import { hostFor } from '../../support/hosts';
import { echoServer, roundTrip, type TestServer } from '../../support/tcp';
import { boundPort } from '../../support/engine-state';

let sshd: Sshd;
let echo: TestServer;
let dir: string;
let agent: ChildProcess | undefined;
const engines: TunnelEngine[] = [];

beforeAll(async () => {
  sshd = await startSshd();
  echo = await echoServer();
  dir = mkdtempSync(join(tmpdir(), 'burrow-auth-'));
});

afterAll(async () => {
  await Promise.all(engines.map((e) => e.shutdown()));
  agent?.kill();
  await echo.close();
  await cleanup(sshd);
});

function authorize(pubFile: string) {
  appendFileSync(join(sshd.dir, 'authorized_keys'), readFileSync(pubFile));
}

async function works(over: Parameters<typeof hostFor>[1], prompter?: Prompter) {
  const e = new TunnelEngine({ prompter });
  engines.push(e);
  const id = `f${engines.length}`;
  e.add(id, hostFor(sshd, over), { kind: 'local', listen: { host: '127.0.0.1', port: 0 }, target: { host: '127.0.0.1', port: echo.port } });
  const port = boundPort(await e.start(id));
  return (await roundTrip(port, Buffer.from('authenticated'))).toString();
}

const answering = (answer: string, asked: SecretQuestion[] = []): Prompter => ({
  hostKey: async () => 'reject',
  secret: async (q) => {
    asked.push(q);
    return answer;
  },
});

/** Answers the questions in turn (null = cancel), recording them. */
const answers = (list: Array<string | null>, asked: SecretQuestion[] = []): Prompter => ({
  hostKey: async () => 'reject',
  secret: async (q) => {
    asked.push(q);
    if (asked.length > list.length) throw new Error(`asked more than expected: ${q.prompt}`);
    return list[asked.length - 1];
  },
});

describe('authentication', () => {
  it('uses ssh-agent (SSH_AUTH_SOCK) with no identity file', async () => {
    const key = keygen(join(dir, 'agent_key'));
    authorize(`${key}.pub`);
    const sock = join(dir, 'agent.sock');
    agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
    for (let i = 0; i < 100 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 20));
    execFileSync('ssh-add', [key], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'ignore' });
    expect(await works({ identityFiles: [], identitiesOnly: false, agent: sock })).toBe('authenticated');
  });

  it('asks for the passphrase of an encrypted OpenSSH key', async () => {
    const key = keygen(join(dir, 'enc_openssh'), 'ed25519', 'open sesame');
    authorize(`${key}.pub`);
    const asked: SecretQuestion[] = [];
    expect(await works({ identityFiles: [key], batchMode: false }, answering('open sesame', asked))).toBe('authenticated');
    expect(asked).toEqual([{ kind: 'passphrase', subject: key, prompt: `Enter passphrase for key '${key}': ` }]);
  });

  it('reads a PEM RSA key with a passphrase', async () => {
    const key = keygen(join(dir, 'enc_pem'), 'rsa', 'pem pass', ['-m', 'PEM', '-b', '2048']);
    expect(readFileSync(key, 'utf8')).toContain('BEGIN RSA PRIVATE KEY');
    authorize(`${key}.pub`);
    expect(await works({ identityFiles: [key], batchMode: false }, answering('pem pass'))).toBe('authenticated');
  });

  it('a mistyped passphrase is asked again, up to 3 times in all, saying it was wrong', async () => {
    const key = keygen(join(dir, 'enc_retry'), 'ed25519', 'right');
    authorize(`${key}.pub`);
    const asked: SecretQuestion[] = [];
    expect(await works({ identityFiles: [key], batchMode: false }, answers(['wrong', 'typo', 'right'], asked))).toBe('authenticated');
    expect(asked.map((q) => q.retry)).toEqual([undefined, 'Wrong passphrase, try again.', 'Wrong passphrase, try again.']);
    expect(asked.every((q) => q.prompt === `Enter passphrase for key '${key}': `)).toBe(true);
  });

  it('a passphrase wrong 3 times skips the key: the next one logs in, or the failure names the key', async () => {
    const key = keygen(join(dir, 'enc_wrong'), 'ed25519', 'right');
    authorize(`${key}.pub`);
    const asked: SecretQuestion[] = [];
    await expect(works({ identityFiles: [key], batchMode: false }, answers(['a', 'b', 'c', 'd'], asked))).rejects.toMatchObject({
      code: 'KEY_PASSPHRASE',
      message: expect.stringContaining(
        `Wrong passphrase for identity file ${key} (asked 3 times), so the key was skipped. Check the passphrase (ssh-keygen -y -f ${key} tests it).`,
      ),
    });
    expect(asked).toHaveLength(3);
    // As ssh: after the third wrong answer the next key is tried.
    expect(await works({ identityFiles: [key, sshd.userKey], batchMode: false }, answers(['a', 'b', 'c']))).toBe('authenticated');
  });

  it('an empty passphrase skips that key and goes on to the next, as ssh does', async () => {
    const key = keygen(join(dir, 'enc_empty'), 'ed25519', 'secret');
    authorize(`${key}.pub`);
    const asked: SecretQuestion[] = [];
    expect(await works({ identityFiles: [key, sshd.userKey], batchMode: false }, answers([''], asked))).toBe('authenticated');
    expect(asked).toHaveLength(1);
    await expect(works({ identityFiles: [key], batchMode: false }, answers(['']))).rejects.toThrow(`No passphrase given for ${key}, so the key was skipped.`);
  });

  it('cancelling the passphrase question stops the login: nothing more is asked', async () => {
    const key = keygen(join(dir, 'enc_cancel'), 'ed25519', 'secret');
    authorize(`${key}.pub`);
    const asked: SecretQuestion[] = [];
    await expect(works({ identityFiles: [key, sshd.userKey], batchMode: false }, answers([null], asked))).rejects.toThrow(
      `No passphrase given for ${key}: the login was cancelled.`,
    );
    expect(asked).toHaveLength(1);
  });

  it('offers the public key first: the passphrase of a key the server would refuse is never asked', async () => {
    // Not authorised: one with its .pub beside it, one whose public half is read from the OpenSSH file itself.
    const withPub = keygen(join(dir, 'enc_refused'), 'ed25519', 'never asked');
    const noPub = keygen(join(dir, 'enc_refused_nopub'), 'ecdsa', 'never asked');
    rmSync(`${noPub}.pub`);
    const wanted = keygen(join(dir, 'enc_wanted'), 'ed25519', 'open sesame');
    authorize(`${wanted}.pub`);
    const asked: SecretQuestion[] = [];
    expect(await works({ identityFiles: [withPub, noPub, wanted], batchMode: false }, answers(['open sesame'], asked))).toBe('authenticated');
    expect(asked.map((q) => q.subject)).toEqual([wanted]);
    expect(sshd.log()).toMatch(/Accepted publickey/);
  });

  it('keys offered by their public half cost the server one try each (MaxAuthTries 3: two refused, the third logs in)', async () => {
    const strict = await startSshd({ config: ['MaxAuthTries 3'] });
    try {
      const refused = [1, 2].map((n) => keygen(join(dir, `enc_count_${n}`), 'ed25519', 'never asked'));
      const asked: SecretQuestion[] = [];
      expect(await works({ ...hostFor(strict), identityFiles: [...refused, strict.userKey], batchMode: false }, answers([], asked))).toBe('authenticated');
      expect(asked).toEqual([]);
    } finally {
      await cleanup(strict);
    }
  });

  it('a PEM key without its .pub (the public half is encrypted too) is asked for before it is offered', async () => {
    const key = keygen(join(dir, 'enc_pem_nopub'), 'rsa', 'pem pass', ['-m', 'PEM', '-b', '2048']);
    authorize(`${key}.pub`);
    rmSync(`${key}.pub`);
    const asked: SecretQuestion[] = [];
    expect(await works({ identityFiles: [key], batchMode: false }, answers(['pem pass'], asked))).toBe('authenticated');
    expect(asked).toHaveLength(1);
  });

  it('under BatchMode an encrypted key says to use the agent', async () => {
    const key = keygen(join(dir, 'enc_batch'), 'ed25519', 'secret');
    authorize(`${key}.pub`);
    await expect(works({ identityFiles: [key], batchMode: true })).rejects.toThrow(
      `Identity file ${key} is protected by a passphrase and no one can be asked for it (BatchMode). Add the key to ssh-agent (ssh-add ${key}) instead.`,
    );
  });
});
