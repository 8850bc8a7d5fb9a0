// Errors a person sees. `code` is stable (scripts and the UI switch on it);
// `message` says what went wrong and what to do about it.
/**
 * Every error code, classified once. `stage`: where it happens (the command
 * line's input, the login or the SSH session, this machine's listener, the
 * destination beyond the server, the saved profiles, Burrow itself).
 * `permanent`: retrying will not heal it (reconnects give up). `badInput`:
 * nothing was started, the command exits 2. A new code must be added here.
 */
export const ERROR_INFO = {
  SPEC_INVALID: { stage: 'input', permanent: false, badInput: true },
  PORT_RANGE: { stage: 'input', permanent: false, badInput: true },
  OPTION_UNKNOWN: { stage: 'input', permanent: false, badInput: true },
  OPTION_INVALID: { stage: 'input', permanent: false, badInput: true },
  USAGE: { stage: 'input', permanent: false, badInput: true },
  VALIDATION: { stage: 'input', permanent: false, badInput: true },
  KEY_UNREADABLE: { stage: 'session', permanent: true, badInput: true },
  KEY_UNSUPPORTED: { stage: 'session', permanent: true, badInput: true },
  KEY_PASSPHRASE: { stage: 'session', permanent: true, badInput: false },
  AUTH_FAILED: { stage: 'session', permanent: true, badInput: false },
  HOSTKEY_CHANGED: { stage: 'session', permanent: true, badInput: false },
  HOSTKEY_REVOKED: { stage: 'session', permanent: true, badInput: false },
  HOSTKEY_UNKNOWN: { stage: 'session', permanent: true, badInput: false },
  HOSTKEY_REJECTED: { stage: 'session', permanent: true, badInput: false },
  SSH_CONNECT_FAILED: { stage: 'session', permanent: false, badInput: false },
  SSH_TIMEOUT: { stage: 'session', permanent: false, badInput: false },
  SSH_DISCONNECTED: { stage: 'session', permanent: false, badInput: false },
  PORT_IN_USE: { stage: 'listener', permanent: true, badInput: false },
  PORT_PRIVILEGED: { stage: 'listener', permanent: true, badInput: false },
  BIND_FAILED: { stage: 'listener', permanent: true, badInput: false },
  REMOTE_REFUSED: { stage: 'listener', permanent: false, badInput: false },
  DEST_REFUSED: { stage: 'destination', permanent: false, badInput: false },
  DEST_PROHIBITED: { stage: 'destination', permanent: false, badInput: false },
  DEST_UNRESOLVED: { stage: 'destination', permanent: false, badInput: false },
  DEST_TIMEOUT: { stage: 'destination', permanent: false, badInput: false },
  DEST_FAILED: { stage: 'destination', permanent: false, badInput: false },
  NOT_FOUND: { stage: 'profiles', permanent: false, badInput: false },
  CONFLICT: { stage: 'profiles', permanent: false, badInput: false },
  DISK_FULL: { stage: 'profiles', permanent: false, badInput: false },
  READ_ONLY: { stage: 'profiles', permanent: false, badInput: false },
  INTERNAL: { stage: 'burrow', permanent: false, badInput: false },
} as const satisfies Record<string, { stage: 'input' | 'session' | 'listener' | 'destination' | 'profiles' | 'burrow'; permanent: boolean; badInput: boolean }>;

export type ErrorCode = keyof typeof ERROR_INFO;

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
export const PERMANENT_CODES: ReadonlySet<ErrorCode> = new Set((Object.keys(ERROR_INFO) as ErrorCode[]).filter((c) => ERROR_INFO[c].permanent));
