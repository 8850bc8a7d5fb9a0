// The host form's key file picker: the private keys in ~/.ssh, found by their
// first line (OpenSSH, PEM RSA/EC/DSA, PKCS#8, PuTTY), with what can be told
// cheaply from the headers (type, passphrase, .pub sibling). Whether Burrow can
// use a key is decided by the engine's own loader (tunnels/auth.ts
// loadIdentity, without a passphrase), so the picker warns about exactly what a
// connection would refuse, with the same words.
import { createPrivateKey } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { isBurrowError } from '../../shared/errors';
import { own } from '../../shared/own-property';
import type { KeyFileCandidate, KeyFileFormat, KeyFileList } from '../../shared/contract';
import { loadIdentity, readKeyFile } from '../tunnels/auth';

/** At most this many directory entries are looked at. */
const MAX_ENTRIES = 2000;
/** The names OpenSSH tries by default come first, in its order. */
const DEFAULT_NAMES = ['id_ed25519', 'id_ecdsa', 'id_ed25519_sk', 'id_ecdsa_sk', 'id_rsa', 'id_dsa'];

/**
 * The home folder as os.homedir() finds it (HOME, USERPROFILE on Windows), but
 * from the given environment, so that the services (and tests) can point ~ elsewhere.
 */
export function homeFrom(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  return (platform === 'win32' ? env.USERPROFILE : env.HOME) || homedir();
}

/** ~/.ssh of a home folder. */
export function sshDir(home: string = homeFrom()): string {
  return join(home, '.ssh');
}

/** What the first line says: the format, and for PEM and PuTTY the type and (PKCS#8) encryption. */
function classify(firstLine: string): { format: KeyFileFormat; type?: string; encrypted?: boolean } | null {
  const pem = /^-----BEGIN (OPENSSH|RSA|EC|DSA|ENCRYPTED|) ?PRIVATE KEY-----$/.exec(firstLine);
  if (pem) {
    switch (pem[1]) {
      case 'OPENSSH':
        return { format: 'openssh' };
      case 'RSA':
        return { format: 'pem', type: 'RSA' };
      case 'EC':
        return { format: 'pem', type: 'ECDSA' };
      case 'DSA':
        return { format: 'pem', type: 'DSA' };
      case 'ENCRYPTED':
        return { format: 'pkcs8', encrypted: true };
      default:
        return { format: 'pkcs8', encrypted: false };
    }
  }
  const ppk = /^PuTTY-User-Key-File-[23]: *(\S+)$/.exec(firstLine);
  if (ppk) return { format: 'putty', type: typeName(ppk[1]) };
  return null;
}

/** ssh-keygen's names for key types: (ED25519), (RSA), (ECDSA-SK), ... */
export function typeName(sshType: string): string {
  const known: Record<string, string> = {
    'ssh-ed25519': 'ED25519',
    'ssh-ed448': 'ED448',
    'ssh-rsa': 'RSA',
    'ssh-dss': 'DSA',
    'sk-ssh-ed25519@openssh.com': 'ED25519-SK',
    'sk-ecdsa-sha2-nistp256@openssh.com': 'ECDSA-SK',
  };
  const name = own(known, sshType);
  if (name) return name;
  if (sshType.startsWith('ecdsa-sha2-')) return 'ECDSA';
  return sshType;
}

/**
 * The unencrypted header of an OpenSSH private key (PROTOCOL.key): the cipher
 * ("none" = no passphrase) and the type of the first public key. Null when the
 * blob is not what it should be.
 */
export function opensshHeader(text: string): { cipher: string; keyType?: string } | null {
  const m = /-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]*?)-----END OPENSSH PRIVATE KEY-----/.exec(text);
  if (!m) return null;
  const blob = Buffer.from(m[1].replace(/\s+/g, ''), 'base64');
  const MAGIC = 'openssh-key-v1\0';
  if (blob.subarray(0, MAGIC.length).toString('latin1') !== MAGIC) return null;
  let at = MAGIC.length;
  const u32 = () => {
    if (at + 4 > blob.length) throw new RangeError('short');
    const v = blob.readUInt32BE(at);
    at += 4;
    return v;
  };
  const bytes = () => {
    const n = u32();
    if (at + n > blob.length) throw new RangeError('short');
    const v = blob.subarray(at, at + n);
    at += n;
    return v;
  };
  try {
    const cipher = bytes().toString('latin1');
    bytes(); // kdfname
    bytes(); // kdfoptions
    if (u32() < 1) return { cipher };
    const pub = bytes();
    const typeLen = pub.length >= 4 ? pub.readUInt32BE(0) : -1;
    const keyType = typeLen >= 0 && 4 + typeLen <= pub.length ? pub.subarray(4, 4 + typeLen).toString('latin1') : undefined;
    return { cipher, keyType };
  } catch {
    return null;
  }
}

/** Looks at one file: a candidate when its first line is a private-key header, else null. */
export async function inspectKeyFile(file: string, text: string): Promise<Omit<KeyFileCandidate, 'displayPath'> | null> {
  const firstLine = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/, 1)[0]
    .trim();
  const kind = classify(firstLine);
  if (!kind) return null;
  const out: Omit<KeyFileCandidate, 'displayPath'> = { path: file, format: kind.format };
  if (kind.type) out.type = kind.type;
  if (kind.encrypted !== undefined) out.encrypted = kind.encrypted;
  switch (kind.format) {
    case 'openssh': {
      const h = opensshHeader(text);
      if (h) {
        out.encrypted = h.cipher !== 'none';
        if (h.keyType) out.type = typeName(h.keyType);
      }
      break;
    }
    case 'pem':
      out.encrypted = /^Proc-Type:\s*4,\s*ENCRYPTED/m.test(text);
      break;
    case 'putty': {
      const enc = /^Encryption:\s*(\S+)/m.exec(text);
      if (enc) out.encrypted = enc[1] !== 'none';
      break;
    }
    case 'pkcs8':
      if (!kind.encrypted) {
        try {
          const t = createPrivateKey({ key: text, format: 'pem' }).asymmetricKeyType;
          if (t) out.type = t === 'ec' ? 'ECDSA' : t.toUpperCase();
        } catch {
          /* not parseable here: the type stays unknown */
        }
      }
      break;
  }
  // The engine's own loader, with no one to ask for a passphrase: it refuses what
  // ssh2 cannot read (PKCS#8, PPK v3, FIDO sk-*, PPK v2 other than RSA/DSA), saying what to do.
  try {
    await loadIdentity(file, undefined, true);
  } catch (e) {
    if (!isBurrowError(e)) throw e;
    if (e.code === 'KEY_PASSPHRASE') out.encrypted = true;
    else out.warning = aboutThisKey(e.message, file);
  }
  if (existsSync(`${file}.pub`)) out.publicKey = `${file}.pub`;
  return out;
}

/** The engine's message, said of the key in view: "This is a PKCS#8 key ..." (the path stays in the commands). */
function aboutThisKey(message: string, file: string): string {
  const own = `Identity file ${file} `;
  if (message.startsWith(`${own}is `)) return `This is ${message.slice(own.length + 3)}`;
  if (message.startsWith(own)) return `This key ${message.slice(own.length)}`;
  return message;
}

const rank = (name: string) => {
  const i = DEFAULT_NAMES.indexOf(name);
  return i < 0 ? DEFAULT_NAMES.length : i;
};

/** The private keys in `home`/.ssh (top level, symlinks followed), OpenSSH's default names first. */
export async function listKeyFiles(home: string = homeFrom()): Promise<KeyFileList> {
  const dir = sshDir(home);
  const shown = (p: string) => (p.startsWith(home + '/') || p.startsWith(home + '\\') ? `~${p.slice(home.length)}` : p);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const problem =
      code === 'ENOENT'
        ? `There is no ${shown(dir)} folder on this computer; type the path of the key file instead.`
        : code === 'EACCES' || code === 'EPERM'
          ? `Burrow may not read ${shown(dir)} (no permission); type the path of the key file instead.`
          : `${shown(dir)} could not be read (${(e as Error).message}); type the path of the key file instead.`;
    return { dir, keys: [], problem };
  }
  const keys: KeyFileCandidate[] = [];
  for (const name of names.slice(0, MAX_ENTRIES)) {
    if (name.endsWith('.pub')) continue;
    const file = join(dir, name);
    let text: string;
    try {
      if (!statSync(file).isFile()) continue;
      text = readKeyFile(file).toString('latin1');
    } catch {
      continue; // unreadable, a dangling link, or too big for a key: not something to offer
    }
    if (text.length === 0) continue;
    const found = await inspectKeyFile(file, text);
    if (found) keys.push({ ...found, displayPath: shown(file) });
  }
  const base = (k: KeyFileCandidate) => k.path.slice(dir.length + 1);
  keys.sort((a, b) => rank(base(a)) - rank(base(b)) || base(a).localeCompare(base(b)));
  return { dir, keys };
}
