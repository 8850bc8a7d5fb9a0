// OpenSSH known_hosts files: plain and hashed (|1|) entries, the [host]:port form,
// wildcard patterns and @revoked. Reading and appending only; no rewriting.
// The system-wide files are only ever read.
import { createHash, createHmac } from 'node:crypto';
import { appendFileSync, closeSync, constants, existsSync, fstatSync, mkdirSync, openSync, readSync } from 'node:fs';
import { dirname } from 'node:path';
import { BurrowError } from '../../shared/errors';
import { FileTooLarge, readBounded } from './bounded-read';

/** OpenSSH's default GlobalKnownHostsFile: read after the user's files, never written. */
export const SYSTEM_KNOWN_HOSTS: readonly string[] = ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'];

export interface KnownHostEntry {
  file: string;
  line: number;
  marker?: 'revoked' | 'cert-authority';
  patterns: string;
  keyType: string;
  keyBase64: string;
}

export type HostKeyVerdict =
  | { status: 'known'; entry: KnownHostEntry }
  | { status: 'revoked'; entry: KnownHostEntry }
  | { status: 'changed'; entry: KnownHostEntry }
  | { status: 'unknown'; otherTypes: KnownHostEntry[] };

/** "SHA256:..." as ssh-keygen -l prints it. */
export function fingerprint(key: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(key).digest('base64').replace(/=+$/, '');
}

/** The key type named inside an SSH wire-format public key blob. */
export function keyTypeOf(key: Buffer): string {
  if (key.length < 4) return 'unknown';
  const len = key.readUInt32BE(0);
  return key.subarray(4, 4 + len).toString('latin1');
}

/** The name known_hosts uses for a host: "host" on port 22, else "[host]:port". */
export function hostToken(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

export function parseKnownHosts(text: string, file: string): KnownHostEntry[] {
  const out: KnownHostEntry[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const parts = line.split(/\s+/);
    let marker: KnownHostEntry['marker'];
    if (parts[0].startsWith('@')) {
      const m = parts.shift()!;
      if (m === '@revoked') marker = 'revoked';
      else if (m === '@cert-authority') marker = 'cert-authority';
      else return;
    }
    if (parts.length < 3) return;
    out.push({ file, line: i + 1, marker, patterns: parts[0], keyType: parts[1], keyBase64: parts[2] });
  });
  return out;
}

function globToRegExp(glob: string): RegExp {
  const re = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 'i');
}

function hashedMatches(pattern: string, token: string): boolean {
  const [, kind, salt, hash] = pattern.split('|');
  if (kind !== '1' || !salt || !hash) return false;
  const h = createHmac('sha1', Buffer.from(salt, 'base64')).update(token).digest('base64');
  return h === hash;
}

/** OpenSSH semantics: any positive match, and no negated (!pattern) match. */
export function patternsMatch(patterns: string, token: string): boolean {
  if (patterns.startsWith('|')) return hashedMatches(patterns, token);
  let matched = false;
  for (const p of patterns.split(',')) {
    const negated = p.startsWith('!');
    const glob = negated ? p.slice(1) : p;
    if (globToRegExp(glob).test(token)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

/** The most one known_hosts file may hold (about 200,000 lines), so that /dev/zero or a runaway file cannot exhaust the memory. */
const KNOWN_HOSTS_MAX_BYTES = 64 * 1024 * 1024;

export function readKnownHosts(files: string[]): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readBounded(file, KNOWN_HOSTS_MAX_BYTES).toString('utf8');
    } catch (e) {
      // Checking a host key against part of a file could call a changed key unknown: say so instead.
      if (e instanceof FileTooLarge) {
        throw new BurrowError(
          'OPTION_INVALID',
          `The known_hosts file ${file} holds more than ${e.max} bytes, more than Burrow reads. Check UserKnownHostsFile, or remove old entries (ssh-keygen -R).`,
        );
      }
      continue; // a missing known_hosts file simply knows nothing
    }
    entries.push(...parseKnownHosts(text, file));
  }
  return entries;
}

export function checkHostKey(entries: KnownHostEntry[], host: string, port: number, key: Buffer): HostKeyVerdict {
  const token = hostToken(host, port);
  const keyType = keyTypeOf(key);
  const keyBase64 = key.toString('base64');
  const revoked = entries.find((e) => e.marker === 'revoked' && e.keyBase64 === keyBase64);
  if (revoked) return { status: 'revoked', entry: revoked };
  const forHost = entries.filter((e) => !e.marker && patternsMatch(e.patterns, token));
  const same = forHost.find((e) => e.keyBase64 === keyBase64);
  if (same) return { status: 'known', entry: same };
  const changed = forHost.find((e) => e.keyType === keyType);
  if (changed) return { status: 'changed', entry: changed };
  return { status: 'unknown', otherTypes: forHost };
}

export function appendKnownHost(file: string, host: string, port: number, key: Buffer): void {
  const dir = dirname(file);
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  let prefix = '';
  if (existsSync(file)) {
    // Only the last byte matters: whether the file ends its last line.
    const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const { size } = fstatSync(fd);
      const last = Buffer.alloc(1);
      if (size > 0 && readSync(fd, last, 0, 1, size - 1) === 1 && last[0] !== 0x0a) prefix = '\n';
    } finally {
      closeSync(fd);
    }
  }
  appendFileSync(file, `${prefix}${hostToken(host, port)} ${keyTypeOf(key)} ${key.toString('base64')}\n`, { mode: 0o600 });
}

/** The known_hosts key type a host key algorithm uses: rsa-sha2-256/512 sign with ssh-rsa keys. */
export function keyTypeOfAlgorithm(algorithm: string): string {
  return algorithm === 'rsa-sha2-256' || algorithm === 'rsa-sha2-512' ? 'ssh-rsa' : algorithm;
}

/**
 * OpenSSH's order_hostkeyalgs: the algorithms whose key type known_hosts holds
 * for this host (and port form) come first, in the list's own order, then the
 * rest. Without it ssh2 asks for ssh-ed25519 first, and a host known only by its
 * ecdsa or rsa key would look unknown. @revoked and @cert-authority lines do not count.
 */
export function orderHostKeyAlgorithms(algorithms: readonly string[], entries: KnownHostEntry[], host: string, port: number): string[] {
  const token = hostToken(host, port);
  const known = new Set(entries.filter((e) => !e.marker && patternsMatch(e.patterns, token)).map((e) => e.keyType));
  const first = algorithms.filter((a) => known.has(keyTypeOfAlgorithm(a)));
  return [...first, ...algorithms.filter((a) => !first.includes(a))];
}
