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

export class BurrowError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BurrowError';
    this.code = code;
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
