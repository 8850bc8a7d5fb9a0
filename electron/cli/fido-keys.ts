// FIDO security-key (sk-*) identity files. Burrow cannot log in with them at
// all: ssh2 has no sk-* key type, so it cannot read the file, and when it lists
// an agent's keys it drops sk-* ones too (ssh-add does not help). Such a file is
// left out with a warning that says so, and the other ways to log in are tried,
// as OpenSSH goes on to the next identity when one cannot be used.
import { readKeyFile } from '../tunnels/auth';

/** Whether file is an OpenSSH private key of a FIDO type (sk-ssh-ed25519@openssh.com, sk-ecdsa-sha2-nistp256@openssh.com). */
export function isFidoKeyFile(file: string): boolean {
  let text: string;
  try {
    text = readKeyFile(file).toString('latin1');
  } catch {
    return false;
  }
  const m = /-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]*?)-----END/.exec(text);
  if (!m) return false;
  const blob = Buffer.from(m[1].replace(/\s+/g, ''), 'base64').toString('latin1');
  return blob.includes('sk-ssh-ed25519@openssh.com') || blob.includes('sk-ecdsa-sha2-nistp256@openssh.com');
}

export interface FidoDecision {
  /** The identity files to keep (the FIDO ones left out). */
  identityFiles: string[];
  /** One warning per file left out. */
  warnings: string[];
}

export function fidoWarning(file: string): string {
  return (
    `Identity file ${file} is a FIDO security-key (sk-*) key, which Burrow cannot use, not even through ssh-agent ` +
    `(its SSH library, ssh2, has no sk-* keys): skipping it and trying the other ways to log in (the agent's other keys, other identity files, a password). ` +
    `For this host use a key without a security key (ssh-keygen -t ed25519, then add the .pub to the server's ~/.ssh/authorized_keys), or OpenSSH's ssh -L.`
  );
}

/** Leaves the FIDO keys out of the identity files, with a warning for each. */
export function setFidoKeysAside(identityFiles: string[]): FidoDecision {
  const fido = identityFiles.filter(isFidoKeyFile);
  return { identityFiles: identityFiles.filter((f) => !fido.includes(f)), warnings: [...new Set(fido)].map(fidoWarning) };
}
