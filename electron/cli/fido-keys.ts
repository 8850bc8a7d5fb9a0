// FIDO security-key (sk-*) identity files: ssh2 cannot sign with a security key,
// but the agent can (ssh-add loads the key; the agent talks to the device).
import { readFileSync } from 'node:fs';
import { BurrowError } from '../../shared/errors';

/** Whether file is an OpenSSH private key of a FIDO type (sk-ssh-ed25519@openssh.com, sk-ecdsa-sha2-nistp256@openssh.com). */
export function isFidoKeyFile(file: string): boolean {
  let text: string;
  try {
    text = readFileSync(file, 'latin1');
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
  /** One warning per file left out: the agent is used for it. */
  warnings: string[];
}

/**
 * What to do with FIDO keys among the identity files: leave them out and use
 * the agent, where the key has to be loaded. Without an agent, or with
 * IdentitiesOnly (which keeps Burrow from using it), a key asked for with -i
 * (`explicit`) is refused (KEY_UNSUPPORTED, exit 2); one from the ssh config is
 * left out with a warning, so that the other keys are still tried.
 */
export function setFidoKeysAside(identityFiles: string[], agent: string | undefined, identitiesOnly: boolean, explicit: ReadonlySet<string> = new Set()): FidoDecision {
  const fido = identityFiles.filter(isFidoKeyFile);
  if (fido.length === 0) return { identityFiles, warnings: [] };
  const what = (f: string) => `Identity file ${f} is a FIDO security-key (sk-*) key, which Burrow cannot use directly`;
  const why = !agent
    ? { refuse: 'and no agent is set', fix: 'run Burrow with SSH_AUTH_SOCK pointing at that agent (or -o IdentityAgent=SOCKET)' }
    : identitiesOnly
      ? { refuse: "and IdentitiesOnly=yes keeps Burrow from using the agent's keys", fix: 'leave IdentitiesOnly out' }
      : undefined;
  const warnings: string[] = [];
  for (const f of fido) {
    if (!why) {
      warnings.push(`${what(f)}: skipping the file and using ssh-agent (${agent}), which must hold the key (ssh-add ${f}).`);
    } else if (explicit.has(f)) {
      throw new BurrowError('KEY_UNSUPPORTED', `${what(f)}, only through ssh-agent, ${why.refuse}. Load the key into ssh-agent (ssh-add ${f}) and ${why.fix}.`);
    } else {
      warnings.push(`${what(f)}, only through ssh-agent, ${why.refuse}: skipping it (the ssh config names it). To use it, load it into ssh-agent (ssh-add ${f}) and ${why.fix}.`);
    }
  }
  return { identityFiles: identityFiles.filter((f) => !fido.includes(f)), warnings };
}
