// ssh2's hostVerifier, in its callback form: (key, verify) => undefined. Returning
// anything else (a Promise included) is taken as the answer, and a Promise is truthy:
// an async verifier would accept every key.
import { BurrowError } from '../../shared/errors';
import { appendKnownHost, checkHostKey, fingerprint, hostToken, keyTypeOf, readKnownHosts } from './known-hosts';
import type { HostConfig, Prompter } from './types';

export interface HostVerification {
  verifier: (key: Buffer, verify: (ok: boolean) => void) => undefined;
  /** Why the key was refused, once it has been. */
  refusal(): BurrowError | undefined;
}

export function createHostVerifier(host: HostConfig, prompter: Prompter | undefined): HostVerification {
  let refused: BurrowError | undefined;
  // ssh2 calls the verifier again on rekey: the key accepted once is accepted for the session.
  let accepted: string | undefined;
  const token = hostToken(host.hostname, host.port);

  const decide = async (key: Buffer): Promise<boolean> => {
    const b64 = key.toString('base64');
    if (accepted !== undefined) {
      if (accepted === b64) return true;
      refused = new BurrowError('HOSTKEY_CHANGED', `The host key of ${token} changed during the session. This could be an attack; the connection was closed.`);
      return false;
    }
    const verdict = checkHostKey(readKnownHosts(host.knownHostsFiles), host.hostname, host.port, key);
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
      case 'changed':
        refused = new BurrowError(
          'HOSTKEY_CHANGED',
          `WARNING: the ${type} host key of ${token} has changed (now ${fp}). This could be an attack (someone intercepting the connection), or the server was reinstalled. ` +
            `The old key is in ${verdict.entry.file} line ${verdict.entry.line}. If you have confirmed the new key with the server's administrator, remove the old one with: ssh-keygen -R '${token}' -f ${verdict.entry.file}`,
        );
        return false;
      case 'unknown':
        break;
    }
    const mode = host.strictHostKeyChecking;
    const unknownMsg = `The host ${token} is not known (${type} key ${fp})`;
    if (mode === 'no') return true;
    if (mode === 'accept-new') {
      if (verdict.otherTypes.length > 0) {
        // accept-new only trusts hosts never seen; a new key type on a known host needs a person.
        refused = new BurrowError('HOSTKEY_UNKNOWN', `${unknownMsg}, and keys of another type are already known for it. Verify the fingerprint, then add it with StrictHostKeyChecking=ask.`);
        return false;
      }
      appendKnownHost(host.knownHostsFiles[0], host.hostname, host.port, key);
      return true;
    }
    if (mode === 'yes' || host.batchMode || !prompter) {
      refused = new BurrowError(
        'HOSTKEY_UNKNOWN',
        `${unknownMsg} and StrictHostKeyChecking is ${mode === 'ask' ? 'ask, but no one can be asked' : 'yes'}. Verify the fingerprint with the server's administrator, then connect once with -o StrictHostKeyChecking=ask (or accept-new).`,
      );
      return false;
    }
    const answer = await prompter.hostKey({
      host: host.hostname,
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
    if (answer === 'save') appendKnownHost(host.knownHostsFiles[0], host.hostname, host.port, key);
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
