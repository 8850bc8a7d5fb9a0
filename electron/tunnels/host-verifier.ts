// ssh2's hostVerifier, in its callback form: (key, verify) => undefined. Returning
// anything else (a Promise included) is taken as the answer, and a Promise is truthy:
// an async verifier would accept every key.
import type { Algorithms } from 'ssh2';
import { BurrowError, type HostKeyChangedDetails } from '../../shared/errors';
import { removeKeyCommand } from '../../shared/host-key-warning';
import { ALGORITHMS, COMPRESSION_ON } from './algorithms';
import {
  SYSTEM_KNOWN_HOSTS,
  appendKnownHost,
  checkHostKey,
  fingerprint,
  hostToken,
  keyTypeOf,
  orderHostKeyAlgorithms,
  readKnownHosts,
  type KnownHostEntry,
} from './known-hosts';
import type { HostConfig, Prompter } from './types';

/** The name known_hosts knows the host by: HostKeyAlias, else the host name. */
export function knownHostsName(host: HostConfig): string {
  return host.hostKeyAlias ?? host.hostname;
}

/** The system-wide known_hosts files for this host (read-only). */
export function globalKnownHostsFiles(host: HostConfig): readonly string[] {
  return host.globalKnownHostsFiles ?? SYSTEM_KNOWN_HOSTS;
}

/** Every known_hosts entry that may speak for this host: the user's files first, then the system's. */
export function knownHostEntries(host: HostConfig): KnownHostEntry[] {
  return readKnownHosts([...host.knownHostsFiles, ...globalKnownHostsFiles(host)]);
}

/**
 * The host key algorithms to ask for, as OpenSSH orders them: the types
 * known_hosts already holds for this host first (unless HostKeyAlgorithms was
 * given as a whole list). undefined when ssh2's default order is the answer.
 */
export function hostKeyAlgorithmsFor(host: HostConfig): string[] | undefined {
  const list = host.hostKeyAlgorithms ?? ALGORITHMS.hostKey.defaults;
  if (host.hostKeyAlgorithmsAsGiven) return [...list];
  const ordered = orderHostKeyAlgorithms(list, knownHostEntries(host), knownHostsName(host), host.port);
  const unchanged = !host.hostKeyAlgorithms && ordered.every((a, i) => a === list[i]);
  return unchanged ? undefined : ordered;
}

/** ssh2's `algorithms` for one hop: the cipher, kex, MAC and compression choices, and the host key order. */
export function sshAlgorithms(host: HostConfig): Algorithms {
  return {
    cipher: host.ciphers?.length ? (host.ciphers as never) : undefined,
    kex: host.kexAlgorithms?.length ? (host.kexAlgorithms as never) : undefined,
    hmac: host.macs?.length ? (host.macs as never) : undefined,
    serverHostKey: hostKeyAlgorithmsFor(host) as never,
    compress: host.compression ? [...COMPRESSION_ON] : undefined,
  };
}

export interface HostVerification {
  verifier: (key: Buffer, verify: (ok: boolean) => void) => undefined;
  /** Why the key was refused, once it has been. */
  refusal(): BurrowError | undefined;
}

export function createHostVerifier(host: HostConfig, prompter: Prompter | undefined): HostVerification {
  let refused: BurrowError | undefined;
  // ssh2 calls the verifier again on rekey: the key accepted once is accepted for the session.
  let accepted: string | undefined;
  const name = knownHostsName(host);
  const token = hostToken(name, host.port);
  const system = new Set(globalKnownHostsFiles(host));

  const decide = async (key: Buffer): Promise<boolean> => {
    const b64 = key.toString('base64');
    if (accepted !== undefined) {
      if (accepted === b64) return true;
      refused = new BurrowError('HOSTKEY_CHANGED', `The host key of ${token} changed during the session. This could be an attack; the connection was closed.`, {
        details: { kind: 'hostKeyChanged', host: token, systemWide: false, duringSession: true },
      });
      return false;
    }
    const verdict = checkHostKey(knownHostEntries(host), name, host.port, key);
    const fp = fingerprint(key);
    const type = keyTypeOf(key);
    switch (verdict.status) {
      case 'known':
        return true;
      case 'revoked':
        refused = new BurrowError(
          'HOSTKEY_REVOKED',
          `The ${type} host key of ${token} (${fp}) is marked @revoked in ${verdict.entry.file} line ${verdict.entry.line}. Burrow refuses to connect. Ask the server's administrator for its current key.`,
        );
        return false;
      case 'changed': {
        const systemWide = system.has(verdict.entry.file);
        const details: HostKeyChangedDetails = {
          kind: 'hostKeyChanged',
          host: token,
          keyType: type,
          fingerprint: fp,
          file: verdict.entry.file,
          line: verdict.entry.line,
          systemWide,
          duringSession: false,
        };
        refused = new BurrowError(
          'HOSTKEY_CHANGED',
          `WARNING: the ${type} host key of ${token} has changed (now ${fp}). This could be an attack (someone intercepting the connection), or the server was reinstalled. ` +
            `The old key is in ${verdict.entry.file} line ${verdict.entry.line}. ` +
            (systemWide
              ? `That is the system-wide known_hosts file, which Burrow never changes: ask this machine's administrator to update it once the new key is confirmed with the server's administrator.`
              : `If you have confirmed the new key with the server's administrator, remove the old one with: ${removeKeyCommand(token, verdict.entry.file)}`),
          { details },
        );
        return false;
      }
      case 'unknown':
        break;
    }
    const mode = host.strictHostKeyChecking;
    const unknownMsg = `The host ${token} is not known (${type} key ${fp})`;
    if (mode === 'no') return true;
    if (mode === 'accept-new') {
      if (verdict.otherTypes.length > 0) {
        // accept-new only trusts hosts never seen; a new key type on a known host needs a person.
        refused = new BurrowError(
          'HOSTKEY_UNKNOWN',
          `${unknownMsg}, and keys of another type are already known for it. Verify the fingerprint, then add it with StrictHostKeyChecking=ask.`,
        );
        return false;
      }
      appendKnownHost(host.knownHostsFiles[0], name, host.port, key);
      return true;
    }
    if (mode === 'yes' || host.batchMode || !prompter) {
      refused = new BurrowError(
        'HOSTKEY_UNKNOWN',
        mode === 'yes'
          ? `${unknownMsg} and StrictHostKeyChecking is yes. Verify the fingerprint with the server's administrator, then add the key to known_hosts, or connect once with StrictHostKeyChecking ask (to be asked) or accept-new.`
          : `${unknownMsg}, and no one can be asked to trust it (${host.batchMode ? 'BatchMode is on' : 'not on a terminal'}). Verify the fingerprint with the server's administrator, then connect once where you can answer the question (on a terminal, or in the desktop app), or add the key to known_hosts.`,
      );
      return false;
    }
    const answer = await prompter.hostKey({
      host: name,
      port: host.port,
      keyType: type,
      fingerprint: fp,
      kind: 'unknown',
      otherKnownTypes: verdict.otherTypes.map((e) => e.keyType),
    });
    if (answer === 'reject') {
      refused = new BurrowError('HOSTKEY_REJECTED', `The host key of ${token} (${fp}) was not trusted; the connection was closed.`);
      return false;
    }
    if (answer === 'save') appendKnownHost(host.knownHostsFiles[0], name, host.port, key);
    return true;
  };

  return {
    verifier(key, verify) {
      decide(key).then(
        (ok) => {
          if (ok) accepted = key.toString('base64');
          verify(ok);
        },
        (err) => {
          refused = new BurrowError('HOSTKEY_REJECTED', `Could not check the host key of ${token}: ${(err as Error).message}`);
          verify(false);
        },
      );
      return undefined;
    },
    refusal: () => refused,
  };
}
