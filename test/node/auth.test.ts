// Authentication against a real sshd: the agent, OpenSSH and PEM keys with passphrases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TunnelEngine } from '../../electron/tunnels/engine';
import type { Prompter, SecretQuestion } from '../../electron/tunnels/types';
import { cleanup, keygen, startSshd, type Sshd } from '../support/sshd';
import { hostFor } from '../support/hosts';
import { echoServer, roundTrip, type TestServer } from '../support/tcp';

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
  const port = ((await e.start(id)).state.bound as { port: number }).port;
  return (await roundTrip(port, Buffer.from('authenticated'))).toString();
}

const answering = (answer: string, asked: SecretQuestion[] = []): Prompter => ({
  hostKey: async () => 'reject',
  secret: async (q) => {
    asked.push(q);
    return answer;
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

  it('a wrong passphrase fails at start-up, naming the key', async () => {
    const key = keygen(join(dir, 'enc_wrong'), 'ed25519', 'right');
    authorize(`${key}.pub`);
    await expect(works({ identityFiles: [key], batchMode: false }, answering('wrong'))).rejects.toThrow(
      `Wrong passphrase for identity file ${key}. Check the passphrase (ssh-keygen -y -f ${key} tests it).`,
    );
  });

  it('under BatchMode an encrypted key says to use the agent', async () => {
    const key = keygen(join(dir, 'enc_batch'), 'ed25519', 'secret');
    authorize(`${key}.pub`);
    await expect(works({ identityFiles: [key], batchMode: true })).rejects.toThrow(
      `Identity file ${key} is protected by a passphrase and no one can be asked for it (BatchMode). Add the key to ssh-agent (ssh-add ${key}) instead.`,
    );
  });
});
