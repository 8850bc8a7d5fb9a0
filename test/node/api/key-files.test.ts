// The key file picker's scanner on real files: keys of every format in a
// temporary ~/.ssh (ssh-keygen's, and PuTTY / FIDO keys built to their specs),
// files that are not keys, and the keys.list channel honouring HOME.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listKeyFiles, homeFrom, sshDir } from '../../../electron/api/key-files';
import { createServices } from '../../../electron/api/services';
import { MemorySecretStore } from '../../../electron/profiles/secrets';
import type { KeyFileCandidate } from '../../../shared/contract';
import { KEY_PASSPHRASE, writeKeyFixture, type KeyFixture } from '../../support/key-fixtures';

const dirs: string[] = [];
let fx: KeyFixture;

const tempDir = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
};

beforeAll(() => {
  fx = writeKeyFixture(tempDir('burrow-keys-'));
});

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('listKeyFiles', () => {
  it('lists the private keys by their first line, default names first, with type, passphrase and .pub', async () => {
    const list = await listKeyFiles(fx.home);
    expect(list.dir).toBe(fx.ssh);
    expect(list.problem).toBeUndefined();
    const byName = new Map(list.keys.map((k) => [k.path.slice(fx.ssh.length + 1), k]));
    // Only the keys; config, known_hosts, public keys, a certificate, an oversized file, a folder and a dangling link are not.
    expect(list.keys.map((k) => k.path.slice(fx.ssh.length + 1))).toEqual([
      'id_ed25519',
      'id_ecdsa',
      'id_ed25519_sk',
      'id_rsa',
      'cloud-enc.p8',
      'cloud.p8',
      'ec.pem',
      'legacy.pem',
      'putty-ed25519.ppk',
      'putty-rsa-enc.ppk',
      'putty-rsa.ppk',
      'putty-v3.ppk',
      'work',
    ]);
    const k = (name: string) => byName.get(name)!;
    const usable = (c: KeyFileCandidate) => ({ format: c.format, type: c.type, encrypted: c.encrypted, publicKey: c.publicKey, warning: c.warning });

    expect(k('id_ed25519')).toEqual({
      path: fx.path('id_ed25519'),
      displayPath: '~/.ssh/id_ed25519',
      format: 'openssh',
      type: 'ED25519',
      encrypted: false,
      publicKey: fx.path('id_ed25519.pub'),
    });
    expect(usable(k('id_ecdsa'))).toEqual({ format: 'openssh', type: 'ECDSA', encrypted: true, publicKey: fx.path('id_ecdsa.pub'), warning: undefined });
    expect(usable(k('id_rsa'))).toEqual({ format: 'pem', type: 'RSA', encrypted: false, publicKey: undefined, warning: undefined });
    expect(usable(k('legacy.pem'))).toEqual({ format: 'pem', type: 'RSA', encrypted: true, publicKey: fx.path('legacy.pem.pub'), warning: undefined });
    expect(usable(k('ec.pem'))).toEqual({ format: 'pem', type: 'ECDSA', encrypted: false, publicKey: fx.path('ec.pem.pub'), warning: undefined });
    expect(usable(k('putty-rsa.ppk'))).toEqual({ format: 'putty', type: 'RSA', encrypted: false, publicKey: undefined, warning: undefined });
    expect(usable(k('putty-rsa-enc.ppk'))).toEqual({ format: 'putty', type: 'RSA', encrypted: true, publicKey: undefined, warning: undefined });
    // A link is followed; its own name is what is offered.
    expect(usable(k('work'))).toEqual({ format: 'openssh', type: 'ED25519', encrypted: false, publicKey: undefined, warning: undefined });

    // Shown with the engine's own words on what to do, not hidden.
    expect(k('cloud.p8')).toMatchObject({ format: 'pkcs8', type: 'RSA', encrypted: false });
    expect(k('cloud.p8').warning).toBe(
      `This is a PKCS#8 key ("BEGIN PRIVATE KEY"), which Burrow cannot read. Convert it to the OpenSSH format in place with: ssh-keygen -p -f ${fx.path('cloud.p8')}`,
    );
    expect(k('cloud-enc.p8')).toMatchObject({ format: 'pkcs8', encrypted: true, warning: expect.stringContaining('PKCS#8') });
    expect(k('cloud-enc.p8').type).toBeUndefined();
    expect(k('putty-v3.ppk')).toMatchObject({
      format: 'putty',
      type: 'ED25519',
      encrypted: false,
      warning: expect.stringMatching(/^This is a PuTTY PPK version 3 key, which Burrow cannot read\. Export it in the OpenSSH format with: puttygen /),
    });
    expect(k('putty-ed25519.ppk')).toMatchObject({
      format: 'putty',
      type: 'ED25519',
      encrypted: false,
      warning: expect.stringMatching(/^This key could not be read as a private key \(.+\)\. Use an OpenSSH or PEM private key\.$/),
    });
    expect(k('id_ed25519_sk')).toMatchObject({
      format: 'openssh',
      type: 'ED25519-SK',
      encrypted: false,
      warning:
        'This is a FIDO security-key (sk-*) key, which Burrow cannot read. ssh2, the SSH library Burrow is built on, supports no security-key type, not even through ssh-agent. Use a regular key for this host (ssh-keygen -t ed25519) and add its .pub to authorized_keys on the server.',
    });
  });

  it('agrees with ssh2: every key without a warning parses (with its passphrase when it has one)', async () => {
    const list = await listKeyFiles(fx.home);
    const fine = list.keys.filter((k) => !k.warning);
    expect(fine.length).toBeGreaterThanOrEqual(8);
    for (const k of fine) {
      const data = readFileSync(k.path);
      const plain = ssh2.utils.parseKey(data);
      if (k.encrypted) {
        expect(plain instanceof Error && /no passphrase given/.test(plain.message), k.path).toBe(true);
        expect(ssh2.utils.parseKey(data, KEY_PASSPHRASE) instanceof Error, k.path).toBe(false);
      } else {
        expect(plain instanceof Error, `${k.path}: ${(plain as Error).message}`).toBe(false);
      }
    }
  });

  it('the built FIDO and PuTTY files are what their tools write', () => {
    // ssh-keygen reads the sk key's public half without the security key.
    const pub = execFileSync('ssh-keygen', ['-y', '-f', fx.path('id_ed25519_sk')], { encoding: 'utf8' });
    expect(pub).toMatch(/^sk-ssh-ed25519@openssh\.com AAAA/);
    expect(readFileSync(fx.path('putty-v3.ppk'), 'utf8')).toMatch(/^PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\n/);
  });

  it('says why nothing is listed when there is no ~/.ssh', async () => {
    const home = tempDir('burrow-nohome-');
    expect(await listKeyFiles(home)).toEqual({
      dir: join(home, '.ssh'),
      keys: [],
      problem: `There is no ${'~/.ssh'} folder on this computer; type the path of the key file instead.`,
    });
  });

  it('finds the home folder as os.homedir() does, from the given environment', () => {
    expect(homeFrom({ HOME: '/home/alice' }, 'linux')).toBe('/home/alice');
    expect(homeFrom({ USERPROFILE: 'C:\\Users\\alice', HOME: '/c/Users/alice' }, 'win32')).toBe('C:\\Users\\alice');
    expect(sshDir('/home/alice')).toBe(join('/home/alice', '.ssh'));
  });
});

describe('keys.list over the dispatcher', () => {
  it("lists env HOME's ~/.ssh (the services' home override)", async () => {
    const s = await createServices({
      configDir: tempDir('burrow-keys-cfg-'),
      secretStore: new MemorySecretStore(),
      watchProfiles: false,
      env: { HOME: fx.home },
    });
    try {
      const r = await s.dispatcher.dispatch('keys.list', {});
      expect(r.ok).toBe(true);
      expect(r.ok && r.value).toEqual(await listKeyFiles(fx.home));
      expect(await s.dispatcher.dispatch('keys.list', { dir: '/etc' })).toMatchObject({ ok: false, code: 'VALIDATION' });
    } finally {
      await s.dispose();
      s.repo.close();
    }
  });
});
