import { describe, expect, it } from 'vitest';
import { createHmac, randomBytes } from 'node:crypto';
import { checkHostKey, fingerprint, hostToken, parseKnownHosts, patternsMatch } from '../../../electron/tunnels/known-hosts';
import { checkKeyFormat } from '../../../electron/tunnels/auth';

// Wire-format blobs: string type, then key material.
function blob(type: string, material = randomBytes(32)): Buffer {
  const t = Buffer.from(type);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(t.length);
  return Buffer.concat([len, t, material]);
}

function hashed(token: string): string {
  const salt = randomBytes(20);
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(token).digest('base64')}`;
}

describe('known_hosts', () => {
  const key = blob('ssh-ed25519');
  const other = blob('ssh-ed25519');
  const line = (hosts: string, k = key, type = 'ssh-ed25519') => `${hosts} ${type} ${k.toString('base64')}`;

  it('names hosts as OpenSSH does', () => {
    expect(hostToken('example.com', 22)).toBe('example.com');
    expect(hostToken('example.com', 2222)).toBe('[example.com]:2222');
  });

  it('matches plain, wildcard, negated and hashed patterns', () => {
    expect(patternsMatch('a.example.com,b.example.com', 'b.example.com')).toBe(true);
    expect(patternsMatch('*.example.com', 'db.example.com')).toBe(true);
    expect(patternsMatch('*.example.com,!secret.example.com', 'secret.example.com')).toBe(false);
    expect(patternsMatch(hashed('[db]:2222'), '[db]:2222')).toBe(true);
    expect(patternsMatch(hashed('[db]:2222'), 'db')).toBe(false);
  });

  it('tells known, changed (with file and line), revoked and unknown apart', () => {
    const entries = parseKnownHosts(
      ['# comment', line('[db]:2222'), line('web', other), `@revoked * ssh-ed25519 ${other.toString('base64')}`].join('\n'),
      '/kh',
    );
    expect(checkHostKey(entries, 'db', 2222, key).status).toBe('known');
    const changed = checkHostKey(entries, 'db', 2222, other);
    expect(changed.status).toBe('revoked'); // a revoked key is refused before anything else
    const changedPlain = checkHostKey(parseKnownHosts(line('[db]:2222'), '/kh'), 'db', 2222, other);
    expect(changedPlain).toMatchObject({ status: 'changed', entry: { file: '/kh', line: 1 } });
    expect(checkHostKey(entries, 'db', 22, key).status).toBe('unknown');
    const otherType = checkHostKey(parseKnownHosts(line('db', blob('ssh-rsa'), 'ssh-rsa'), '/kh'), 'db', 22, key);
    expect(otherType).toMatchObject({ status: 'unknown', otherTypes: [{ keyType: 'ssh-rsa' }] });
  });

  it('prints fingerprints as ssh-keygen does', () => {
    expect(fingerprint(key)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });
});

describe('identity file formats', () => {
  it('names a FIDO sk-* key and says to use a regular key', () => {
    const inner = Buffer.concat([Buffer.from('openssh-key-v1\0'), blob('sk-ssh-ed25519@openssh.com')]).toString('base64');
    const text = `-----BEGIN OPENSSH PRIVATE KEY-----\n${inner}\n-----END OPENSSH PRIVATE KEY-----\n`;
    expect(() => checkKeyFormat('/k/id_ed25519_sk', text)).toThrow(
      'Identity file /k/id_ed25519_sk is a FIDO security-key (sk-*) key, which Burrow cannot read. ssh2, the SSH library Burrow is built on, supports no security-key type, not even through ssh-agent. Use a regular key for this host (ssh-keygen -t ed25519) and add its .pub to authorized_keys on the server.',
    );
  });

  it('names SSH certificates', () => {
    expect(() => checkKeyFormat('/k/id-cert.pub', 'ssh-ed25519-cert-v01@openssh.com AAAAC3 x')).toThrow(/is an SSH certificate, which Burrow cannot read/);
  });
});
