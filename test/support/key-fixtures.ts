// Real private key files of every format the key file picker knows, for the
// scanner's unit test and the picker's browser test: OpenSSH and PEM keys from
// ssh-keygen, PKCS#8 from ssh-keygen -m PKCS8, and the formats ssh-keygen
// cannot write here built byte for byte to their specs (PuTTY PPK v2 and v3
// with valid MACs, an OpenSSH FIDO sk-ssh-ed25519 key).
import { createCipheriv, createHash, createHmac, generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { keygen } from './sshd';

export const KEY_PASSPHRASE = 'open sesame';

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
/** SSH wire string. */
const str = (v: Buffer | string) => {
  const b = typeof v === 'string' ? Buffer.from(v) : v;
  return Buffer.concat([u32(b.length), b]);
};
/** SSH mpint from a big-endian unsigned buffer (JWK). */
const mpint = (b: Buffer) => {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  const v = b.subarray(i);
  return str(v[0] & 0x80 ? Buffer.concat([Buffer.from([0]), v]) : v);
};
const lines = (b: Buffer) => b.toString('base64').match(/.{1,64}/g)!;

/** A PuTTY key file (PPK v2 or v3), unencrypted or (v2) aes256-cbc, with its MAC as PuTTY computes it. */
export function puttyKey(version: 2 | 3, type: 'ssh-rsa' | 'ssh-ed25519', passphrase = ''): string {
  let pub: Buffer;
  let priv: Buffer;
  if (type === 'ssh-rsa') {
    const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
    const b = (k: string) => Buffer.from((jwk as Record<string, string>)[k], 'base64url');
    pub = Buffer.concat([str('ssh-rsa'), mpint(b('e')), mpint(b('n'))]);
    priv = Buffer.concat([mpint(b('d')), mpint(b('p')), mpint(b('q')), mpint(b('qi'))]);
  } else {
    const jwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });
    pub = Buffer.concat([str('ssh-ed25519'), str(Buffer.from(jwk.x!, 'base64url'))]);
    priv = str(Buffer.from(jwk.d!, 'base64url'));
  }
  const encryption = passphrase ? 'aes256-cbc' : 'none';
  const comment = 'burrow-test';
  if (passphrase) {
    // Padded to the cipher block with bytes of a SHA-1 (PuTTY's choice); the MAC covers the padded plaintext.
    const pad = (16 - (priv.length % 16)) % 16;
    priv = Buffer.concat([priv, createHash('sha1').update(priv).digest().subarray(0, pad)]);
  }
  const macData = Buffer.concat([str(type), str(encryption), str(comment), str(pub), str(priv)]);
  let mac: string;
  let stored = priv;
  if (version === 2) {
    const key = createHash('sha1').update('putty-private-key-file-mac-key').update(passphrase).digest();
    mac = createHmac('sha1', key).update(macData).digest('hex');
    if (passphrase) {
      const k = Buffer.concat([0, 1].map((n) => createHash('sha1').update(u32(n)).update(passphrase).digest())).subarray(0, 32);
      const c = createCipheriv('aes-256-cbc', k, Buffer.alloc(16));
      c.setAutoPadding(false);
      stored = Buffer.concat([c.update(priv), c.final()]);
    }
  } else {
    if (passphrase) throw new Error('only unencrypted PPK v3 keys are built here');
    mac = createHmac('sha256', Buffer.alloc(0)).update(macData).digest('hex');
  }
  const pubLines = lines(pub);
  const privLines = lines(stored);
  return [
    `PuTTY-User-Key-File-${version}: ${type}`,
    `Encryption: ${encryption}`,
    `Comment: ${comment}`,
    `Public-Lines: ${pubLines.length}`,
    ...pubLines,
    `Private-Lines: ${privLines.length}`,
    ...privLines,
    `Private-MAC: ${mac}`,
    '',
  ].join('\n');
}

/** An OpenSSH private key of type sk-ssh-ed25519@openssh.com (a FIDO security key's handle), as ssh-keygen writes it. */
export function fidoKey(): string {
  const pk = Buffer.from(generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }).x!, 'base64url');
  const type = 'sk-ssh-ed25519@openssh.com';
  const pub = Buffer.concat([str(type), str(pk), str('ssh:')]);
  const check = randomBytes(4);
  let section = Buffer.concat([check, check, str(type), str(pk), str('ssh:'), Buffer.from([0x01]), str(randomBytes(64)), str(''), str('burrow-test')]);
  const pad: number[] = [];
  for (let i = 1; (section.length + pad.length) % 8 !== 0; i++) pad.push(i);
  section = Buffer.concat([section, Buffer.from(pad)]);
  const blob = Buffer.concat([Buffer.from('openssh-key-v1\0'), str('none'), str('none'), str(''), u32(1), str(pub), str(section)]);
  return ['-----BEGIN OPENSSH PRIVATE KEY-----', ...sshLines(blob), '-----END OPENSSH PRIVATE KEY-----', ''].join('\n');
}
const sshLines = (b: Buffer) => b.toString('base64').match(/.{1,70}/g)!;

/** What the fixture folder holds: private keys by name, and the files that are not keys. */
export interface KeyFixture {
  home: string;
  ssh: string;
  path: (name: string) => string;
}

/**
 * Fills `home`/.ssh with keys of every format and with files that are not
 * keys (config, known_hosts, public keys, a certificate, an empty and an
 * oversized file, a sub-folder, links).
 */
export function writeKeyFixture(home: string): KeyFixture {
  const ssh = join(home, '.ssh');
  rmSync(ssh, { recursive: true, force: true });
  mkdirSync(ssh, { recursive: true, mode: 0o700 });
  const p = (n: string) => join(ssh, n);
  const write = (n: string, text: string) => writeFileSync(p(n), text, { mode: 0o600 });

  keygen(p('id_ed25519'));
  keygen(p('id_ecdsa'), 'ecdsa', KEY_PASSPHRASE);
  keygen(p('id_rsa'), 'rsa', '', ['-m', 'PEM', '-b', '2048']);
  rmSync(p('id_rsa.pub'));
  keygen(p('legacy.pem'), 'rsa', KEY_PASSPHRASE, ['-m', 'PEM', '-b', '2048']);
  keygen(p('ec.pem'), 'ecdsa', '', ['-m', 'PEM']);
  keygen(p('cloud.p8'), 'rsa', '', ['-m', 'PKCS8', '-b', '2048']);
  keygen(p('cloud-enc.p8'), 'ecdsa', KEY_PASSPHRASE, ['-m', 'PKCS8']);
  write('putty-rsa.ppk', puttyKey(2, 'ssh-rsa'));
  write('putty-rsa-enc.ppk', puttyKey(2, 'ssh-rsa', KEY_PASSPHRASE));
  write('putty-ed25519.ppk', puttyKey(2, 'ssh-ed25519'));
  write('putty-v3.ppk', puttyKey(3, 'ssh-ed25519'));
  write('id_ed25519_sk', fidoKey());
  symlinkSync(p('id_ed25519'), p('work'));

  // Not keys.
  write('config', 'Host *\n  ServerAliveInterval 30\n');
  write('known_hosts', '127.0.0.1 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n');
  write('authorized_keys', '');
  write('server.crt', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
  write('huge', `-----BEGIN OPENSSH PRIVATE KEY-----\n${'A'.repeat(70 * 1024)}\n-----END OPENSSH PRIVATE KEY-----\n`);
  mkdirSync(p('old'));
  keygen(join(p('old'), 'id_ed25519'));
  symlinkSync(p('does-not-exist'), p('gone'));
  chmodSync(ssh, 0o700);
  return { home, ssh, path: p };
}
