// Forward specifications in OpenSSH syntax (-L, -R, -D): parsing and formatting.
// Pure: no Node, no DOM.
import { BurrowError } from './errors';

export type TcpEndpoint = { host: string; port: number };
export type UnixEndpoint = { path: string };
export type Endpoint = TcpEndpoint | UnixEndpoint;
export const FORWARD_KINDS = ['local', 'remote', 'dynamic'] as const;
export type ForwardKind = (typeof FORWARD_KINDS)[number];

export interface ForwardSpec {
  kind: ForwardKind;
  /** Where connections arrive: on the client for local and dynamic, on the server for remote. */
  listen: Endpoint;
  /** Where they go: resolved by the server for local, by the client for remote. Absent for dynamic. */
  target?: Endpoint;
  /**
   * Dynamic forwards only: SOCKS5 clients must log in with these (RFC 1929).
   * The password is a secret: stores keep it out of plain-text files.
   * `password: null`: not known yet (to be asked for before the start); a
   * proxy started so refuses every login rather than run open.
   */
  socksAuth?: { username: string; password: string | null };
  /** Run one health check when the forward becomes active (it opens a connection to the destination). */
  healthCheckAtStart?: boolean;
}

export const DEFAULT_LOCAL_BIND = '127.0.0.1';
export const DEFAULT_REMOTE_BIND = 'localhost';

const FLAG: Record<ForwardKind, string> = { local: '-L', remote: '-R', dynamic: '-D' };
const FORMS: Record<ForwardKind, string> = {
  local: '[bind_address:]port:host:hostport, [bind_address:]port:remote_socket or local_socket:host:hostport',
  remote: '[bind_address:]port:host:hostport, [bind_address:]port:local_socket or remote_socket:host:hostport',
  dynamic: '[bind_address:]port',
};

export function isUnix(e: Endpoint): e is UnixEndpoint {
  return 'path' in e;
}

/** Splits on ':' but keeps [ipv6] literals whole (brackets removed). */
function fields(spec: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  while (i <= spec.length) {
    if (spec[i] === '[') {
      const end = spec.indexOf(']', i);
      if (end < 0) return null;
      out.push(spec.slice(i + 1, end));
      i = end + 1;
      if (i < spec.length && spec[i] !== ':') return null;
      i++;
    } else {
      const end = spec.indexOf(':', i);
      const stop = end < 0 ? spec.length : end;
      out.push(spec.slice(i, stop));
      i = stop + 1;
    }
  }
  return out;
}

const looksLikePath = (s: string) => s.includes('/');

function portLabel(kind: ForwardKind, role: 'listen' | 'target'): string {
  if (role === 'target') return 'Destination port';
  return kind === 'remote' ? 'Remote port' : 'Local port';
}

export function parsePort(text: string, label: string, allowZero = false): number {
  if (!/^\d+$/.test(text)) {
    throw new BurrowError('SPEC_INVALID', `${label} '${text}' is not a number; use a port between ${allowZero ? 0 : 1} and 65535.`);
  }
  const n = Number(text);
  if (n < (allowZero ? 0 : 1) || n > 65535) {
    throw new BurrowError('PORT_RANGE', `${label} must be between ${allowZero ? 0 : 1} and 65535 (got ${text}).`);
  }
  return n;
}

function bindHost(raw: string | undefined, kind: ForwardKind): string {
  if (raw === undefined) return kind === 'remote' ? DEFAULT_REMOTE_BIND : DEFAULT_LOCAL_BIND;
  // Every address: for a local listener both IPv4 and IPv6, as OpenSSH binds it (0.0.0.0 is IPv4 only).
  if (raw === '' || raw === '*') return '';
  return raw;
}

export function parseForwardSpec(kind: ForwardKind, spec: string): ForwardSpec {
  const bad = (why: string) => new BurrowError('SPEC_INVALID', `${FLAG[kind]} ${spec}: ${why}. Expected ${FORMS[kind]}.`);
  const f = fields(spec.trim());
  if (!f || f.length === 0 || f.some((x, i) => x === '' && i !== 0)) throw bad('malformed forward specification');

  const listen = (parts: string[]): Endpoint => {
    if (parts.length === 1 && looksLikePath(parts[0])) return { path: parts[0] };
    if (parts.length === 1) return { host: bindHost(undefined, kind), port: parsePort(parts[0], portLabel(kind, 'listen'), kind === 'remote') };
    if (parts.length === 2) return { host: bindHost(parts[0], kind), port: parsePort(parts[1], portLabel(kind, 'listen'), kind === 'remote') };
    throw bad('too many fields before the destination');
  };

  if (kind === 'dynamic') {
    if (f.length > 2) throw bad('a SOCKS forward takes only an optional bind address and a port');
    const l = listen(f);
    if (isUnix(l)) throw bad('a SOCKS forward listens on a TCP port, not a socket path');
    return { kind, listen: l };
  }

  let target: Endpoint;
  let rest: string[];
  const last = f[f.length - 1];
  if (looksLikePath(last) && f.length >= 2) {
    target = { path: last };
    rest = f.slice(0, -1);
  } else {
    if (f.length < 3) throw bad('missing the destination host and port');
    const host = f[f.length - 2];
    if (!host) throw bad('the destination host is empty');
    target = { host, port: parsePort(last, portLabel(kind, 'target')) };
    rest = f.slice(0, -2);
  }
  if (rest.length === 0) throw bad('missing the listening port');
  return { kind, listen: listen(rest), target };
}

function formatHost(h: string): string {
  return h.includes(':') ? `[${h}]` : h;
}

export function formatEndpoint(e: Endpoint): string {
  return isUnix(e) ? e.path : `${formatHost(e.host)}:${e.port}`;
}

/** The spec as OpenSSH writes it, without the flag. */
export function formatForwardSpec(spec: ForwardSpec): string {
  const l = spec.listen;
  const listen = isUnix(l) ? l.path : `${l.host === '' ? '*' : formatHost(l.host)}:${l.port}`;
  return spec.target ? `${listen}:${formatEndpoint(spec.target)}` : listen;
}

export function forwardFlag(kind: ForwardKind): string {
  return FLAG[kind];
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
