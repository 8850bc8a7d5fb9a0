// Which host key the session asks for, and where known keys are looked up:
// known_hosts decides the host key algorithm order (as OpenSSH's
// order_hostkeyalgs), and the system-wide known_hosts files are read (never written).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SshSession } from '../../../electron/tunnels/session';
import { orderHostKeyAlgorithms, parseKnownHosts, SYSTEM_KNOWN_HOSTS } from '../../../electron/tunnels/known-hosts';
import { hostKeyAlgorithmsFor } from '../../../electron/tunnels/host-verifier';
import { parseOption, resolveHost } from '../../../electron/sshconfig/host-options';
import type { HostConfig, Prompter } from '../../../electron/tunnels/types';
import { cleanup, keygen, startSshd, type Sshd } from '../../support/sshd';
import { hostFor } from '../../support/hosts';

let sshd: Sshd;
let dir: string;
const sessions: SshSession[] = [];

beforeAll(async () => {
  // ed25519 is what ssh2 asks for first; the test is about hosts known by the others.
  sshd = await startSshd({ hostKeyTypes: ['ed25519', 'ecdsa', 'rsa'] });
  dir = mkdtempSync(join(tmpdir(), 'burrow-hostkeys-'));
});

afterAll(async () => {
  sessions.forEach((s) => s.close());
  await cleanup(sshd);
});

let n = 0;
function knownHosts(...types: string[]): string {
  const file = join(dir, `kh-${++n}`);
  writeFileSync(file, types.map((t) => `[127.0.0.1]:${sshd.port} ${sshd.hostPublicKeys[t]}\n`).join(''));
  return file;
}

function session(over: Partial<HostConfig>, prompter?: Prompter): SshSession {
  const s = new SshSession(hostFor(sshd, { globalKnownHostsFiles: [], ...over }), { prompter });
  sessions.push(s);
  return s;
}

const nobodyAsked: Prompter = {
  hostKey: async () => {
    throw new Error('asked about the host key, though known_hosts has one of its keys');
  },
  secret: async () => null,
};

describe('host key algorithm order follows known_hosts', () => {
  it('puts the algorithms of known key types first, in the default order, rsa-sha2-* for ssh-rsa keys', () => {
    const entries = parseKnownHosts(`[db]:2222 ssh-rsa AAAA\ndb ecdsa-sha2-nistp256 AAAA\n@revoked [db]:2222 ssh-ed25519 AAAA\n`, '/kh');
    const dflt = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
    expect(orderHostKeyAlgorithms(dflt, entries, 'db', 2222)).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa', 'ssh-ed25519', 'ecdsa-sha2-nistp256']);
    // The port form matters: on port 22 the host is known by its ecdsa key only.
    expect(orderHostKeyAlgorithms(dflt, entries, 'db', 22)).toEqual(['ecdsa-sha2-nistp256', 'ssh-ed25519', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
  });

  it('keeps a HostKeyAlgorithms list written out in full, and reorders a +/- one', () => {
    const kh = knownHosts('ecdsa');
    const host = hostFor(sshd, { knownHostsFiles: [kh], globalKnownHostsFiles: [] });
    expect(hostKeyAlgorithmsFor({ ...host, hostKeyAlgorithms: ['ssh-ed25519', 'ecdsa-sha2-nistp256'], hostKeyAlgorithmsAsGiven: true })).toEqual([
      'ssh-ed25519',
      'ecdsa-sha2-nistp256',
    ]);
    expect(hostKeyAlgorithmsFor({ ...host, hostKeyAlgorithms: ['ssh-ed25519', 'ecdsa-sha2-nistp256'] })).toEqual(['ecdsa-sha2-nistp256', 'ssh-ed25519']);
    // Nothing known: ssh2's own default stands.
    expect(hostKeyAlgorithmsFor({ ...host, knownHostsFiles: [join(dir, 'missing')] })).toBeUndefined();
  });

  it('connects under StrictHostKeyChecking=yes to sshd (ed25519 + ecdsa + rsa) known only by its ecdsa key', async () => {
    await expect(session({ knownHostsFiles: [knownHosts('ecdsa')], strictHostKeyChecking: 'yes' }).start()).resolves.toBeUndefined();
  });

  it('connects to a host known only by its rsa key, and does not ask under ask', async () => {
    await expect(
      session({ knownHostsFiles: [knownHosts('rsa')], strictHostKeyChecking: 'ask', batchMode: false }, nobodyAsked).start(),
    ).resolves.toBeUndefined();
  });

  it('accept-new does not add an ed25519 line for a host known by its ecdsa key', async () => {
    const kh = knownHosts('ecdsa');
    const before = readFileSync(kh, 'utf8');
    await session({ knownHostsFiles: [kh], strictHostKeyChecking: 'accept-new' }).start();
    expect(readFileSync(kh, 'utf8')).toBe(before);
  });

  it('honours an ordered HostKeyAlgorithms list: ed25519 first is then unknown, and refused', async () => {
    const err = await session({
      knownHostsFiles: [knownHosts('ecdsa')],
      hostKeyAlgorithms: ['ssh-ed25519', 'ecdsa-sha2-nistp256'],
      hostKeyAlgorithmsAsGiven: true,
    })
      .start()
      .catch((e) => e);
    expect(err.code).toBe('HOSTKEY_UNKNOWN');
    expect(err.message).toContain('is not known (ssh-ed25519 key');
  });
});

describe('system-wide known_hosts (GlobalKnownHostsFile)', () => {
  it('defaults to /etc/ssh/ssh_known_hosts and ssh_known_hosts2, overridable with -o GlobalKnownHostsFile', () => {
    expect(SYSTEM_KNOWN_HOSTS).toEqual(['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2']);
    const none = resolveHost({ destination: 'db', options: [] }).host;
    expect(none.globalKnownHostsFiles).toBeUndefined(); // the engine then reads SYSTEM_KNOWN_HOSTS
    const set = resolveHost({ destination: 'db', options: [parseOption(`GlobalKnownHostsFile=${dir}/g1 ${dir}/g2-%h`)] }).host;
    expect(set.globalKnownHostsFiles).toEqual([`${dir}/g1`, `${dir}/g2-db`]);
    expect(resolveHost({ destination: 'db', options: [parseOption('GlobalKnownHostsFile=none')] }).host.globalKnownHostsFiles).toEqual([]);
  });

  it('trusts a key found only in the system file, and never writes to it', async () => {
    const global = knownHosts('ed25519');
    const before = readFileSync(global, 'utf8');
    const user = join(dir, 'user-empty');
    await session({ knownHostsFiles: [user], globalKnownHostsFiles: [global], strictHostKeyChecking: 'accept-new' }).start();
    expect(existsSync(user)).toBe(false); // known: nothing to add
    expect(readFileSync(global, 'utf8')).toBe(before);
  });

  it('orders host key algorithms by the system file too', async () => {
    const global = knownHosts('ecdsa');
    await expect(session({ knownHostsFiles: [join(dir, 'nothing')], globalKnownHostsFiles: [global] }).start()).resolves.toBeUndefined();
  });

  it('accept-new writes a new host to the user file, not the system file', async () => {
    const global = join(dir, 'global-other');
    writeFileSync(global, `otherhost ${sshd.hostPublicKey}\n`);
    const user = join(dir, 'user-new');
    await session({ knownHostsFiles: [user], globalKnownHostsFiles: [global], strictHostKeyChecking: 'accept-new' }).start();
    expect(readFileSync(user, 'utf8')).toContain(`[127.0.0.1]:${sshd.port} ssh-ed25519 `);
    expect(readFileSync(global, 'utf8')).toBe(`otherhost ${sshd.hostPublicKey}\n`);
  });

  it('a changed key in the system file is refused, and the message says an administrator must fix it', async () => {
    const global = join(dir, 'global-changed');
    const fakeKey = readFileSync(`${keygen(join(dir, 'not-the-host-key'))}.pub`, 'utf8')
      .split(' ')
      .slice(0, 2)
      .join(' ');
    writeFileSync(global, `[127.0.0.1]:${sshd.port} ${fakeKey}\n`);
    const err = await session({ knownHostsFiles: [join(dir, 'nothing')], globalKnownHostsFiles: [global] })
      .start()
      .catch((e) => e);
    expect(err.code).toBe('HOSTKEY_CHANGED');
    expect(err.message).toContain(
      `The old key is in ${global} line 1. That is the system-wide known_hosts file, which Burrow never changes: ask this machine's administrator`,
    );
  });
});
