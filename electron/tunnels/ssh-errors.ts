// Turns ssh2 and socket errors into messages that say what happened and what to do.
import { BurrowError } from '../../shared/errors';
import { formatEndpoint, type Endpoint } from '../../shared/forward-spec';

const SSHD_CONFIG = '/etc/ssh/sshd_config';

/** A failed channel open (forwardOut / openssh_forwardOutStreamLocal). */
export function channelOpenError(err: Error & { reason?: number }, target: Endpoint, via: string): BurrowError {
  const dest = formatEndpoint(target);
  // ssh2 prefixes the server's own words with "(SSH) Channel open failure: ".
  const text = (err.message || '').replace(/^\(SSH\) Channel open failure:\s*/, '');
  if (err.reason === 1 || /prohibited/i.test(text)) {
    return new BurrowError(
      'DEST_PROHIBITED',
      `${via} refused to forward to ${dest}: administratively prohibited. The server's ${SSHD_CONFIG} forbids it (AllowTcpForwarding no, a PermitOpen rule or a Match block); its administrator can change that there and restart sshd.`,
    );
  }
  if (/refused/i.test(text)) {
    return new BurrowError(
      'DEST_REFUSED',
      `${dest} refused the connection (as seen from ${via}): "Connection refused". Check that the service is running there and the port is right.`,
    );
  }
  if (/name or service not known|nodename nor servname|name resolution|getaddrinfo|could not resolve|no address associated/i.test(text)) {
    return new BurrowError(
      'DEST_UNRESOLVED',
      `${via} could not resolve the name in ${dest} ("${text}"). Names are resolved on the server: check the spelling, or use an address the server can reach.`,
    );
  }
  if (/timed out/i.test(text)) {
    return new BurrowError('DEST_TIMEOUT', `Connecting to ${dest} from ${via} timed out. The destination may be down or firewalled.`);
  }
  if (/no such file|ENOENT/i.test(text) && 'path' in target) {
    return new BurrowError('DEST_REFUSED', `The socket ${dest} does not exist on ${via}.`);
  }
  return new BurrowError('DEST_FAILED', `${via} could not connect to ${dest}: ${text || 'the channel open failed'}.`);
}

export function channelTimeoutError(target: Endpoint, via: string, ms: number): BurrowError {
  return new BurrowError(
    'DEST_TIMEOUT',
    `Connecting to ${formatEndpoint(target)} through ${via} timed out after ${Math.round(ms / 1000)} s. The destination may be down or firewalled, or the server is not answering.`,
  );
}

/** An error while establishing the SSH session itself. */
export function sessionError(err: Error & { level?: string; code?: string }, hostLabel: string): BurrowError {
  if (err instanceof BurrowError) return err;
  const code = err.code ?? '';
  if (err.level === 'client-socket' || code) {
    if (code === 'ECONNREFUSED')
      return new BurrowError('SSH_CONNECT_FAILED', `Could not connect to ${hostLabel}: connection refused. Check that sshd runs there and the port is right.`);
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
      return new BurrowError('SSH_CONNECT_FAILED', `Could not resolve the host name of ${hostLabel}. Check the spelling or your DNS.`);
    if (code === 'ETIMEDOUT') return new BurrowError('SSH_TIMEOUT', `Connecting to ${hostLabel} timed out. The host may be down or firewalled.`);
    if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH')
      return new BurrowError('SSH_CONNECT_FAILED', `${hostLabel} is unreachable from this machine (${code}). Check your network.`);
    if (code === 'ECONNRESET' || code === 'EPIPE') return new BurrowError('SSH_DISCONNECTED', `The connection to ${hostLabel} was reset.`);
    return new BurrowError('SSH_CONNECT_FAILED', `Could not connect to ${hostLabel}: ${err.message}.`);
  }
  if (err.level === 'client-timeout') {
    if (/keepalive/i.test(err.message)) return new BurrowError('SSH_TIMEOUT', `${hostLabel} stopped answering keepalives; the connection is considered lost.`);
    return new BurrowError('SSH_TIMEOUT', `The SSH handshake with ${hostLabel} timed out.`);
  }
  if (/handshake|no matching/i.test(err.message)) {
    return new BurrowError('SSH_CONNECT_FAILED', `The SSH handshake with ${hostLabel} failed: ${err.message}. Check the Ciphers and other algorithm options.`);
  }
  return new BurrowError('SSH_DISCONNECTED', `The connection to ${hostLabel} failed: ${err.message}.`);
}
