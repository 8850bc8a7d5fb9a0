// Errors a person sees. `code` is stable (scripts and the UI switch on it);
// `message` says what went wrong and what to do about it.
export type ErrorCode =
  | 'SPEC_INVALID'
  | 'PORT_RANGE'
  | 'OPTION_UNKNOWN'
  | 'OPTION_INVALID'
  | 'USAGE'
  | 'KEY_UNREADABLE'
  | 'KEY_UNSUPPORTED'
  | 'KEY_PASSPHRASE'
  | 'AUTH_FAILED'
  | 'HOSTKEY_CHANGED'
  | 'HOSTKEY_REVOKED'
  | 'HOSTKEY_UNKNOWN'
  | 'HOSTKEY_REJECTED'
  | 'PORT_IN_USE'
  | 'PORT_PRIVILEGED'
  | 'BIND_FAILED'
  | 'SSH_CONNECT_FAILED'
  | 'SSH_TIMEOUT'
  | 'SSH_DISCONNECTED'
  | 'DEST_REFUSED'
  | 'DEST_PROHIBITED'
  | 'DEST_UNRESOLVED'
  | 'DEST_TIMEOUT'
  | 'DEST_FAILED'
  | 'REMOTE_REFUSED'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'VALIDATION'
  | 'DISK_FULL'
  | 'READ_ONLY'
  | 'INTERNAL';

/**
 * The facts behind an error, typed, for whoever must act on them (the window's
 * changed-host-key warning); `message` stays the sentence for people.
 */
export type ErrorDetails = HostKeyChangedDetails;

export interface HostKeyChangedDetails {
  kind: 'hostKeyChanged';
  /** As known_hosts names it: "example.com" or "[127.0.0.1]:2222". */
  host: string;
  /** "ssh-ed25519", "ssh-rsa", ...; absent when the key changed during the session. */
  keyType?: string;
  /** The key the server presents now ("SHA256:..."). */
  fingerprint?: string;
  /** Where the old key is. */
  file?: string;
  line?: number;
  /** The old key is in a system-wide known_hosts file, which Burrow never changes. */
  systemWide: boolean;
  /** The key changed while the session was up (on rekey), not against known_hosts. */
  duringSession: boolean;
}

export class BurrowError extends Error {
  readonly code: ErrorCode;
  readonly details?: ErrorDetails;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; details?: ErrorDetails }) {
    super(message, options);
    this.name = 'BurrowError';
    this.code = code;
    if (options?.details) this.details = options.details;
  }
}

export function isBurrowError(e: unknown): e is BurrowError {
  return e instanceof BurrowError;
}

/** Errors that will not heal by retrying: reconnect gives up on these. */
export const PERMANENT_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'KEY_UNREADABLE',
  'KEY_UNSUPPORTED',
  'KEY_PASSPHRASE',
  'AUTH_FAILED',
  'HOSTKEY_CHANGED',
  'HOSTKEY_REVOKED',
  'HOSTKEY_UNKNOWN',
  'HOSTKEY_REJECTED',
  'PORT_IN_USE',
  'PORT_PRIVILEGED',
  'BIND_FAILED',
]);
