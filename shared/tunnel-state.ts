// What the engine reports about a forward: its state, counters, log lines and
// live connections. One definition for the engine, the IPC contract and the UI.
import type { BurrowError, ErrorCode, ErrorDetails } from './errors';

export const FORWARD_STATE_NAMES = ['stopped', 'connecting', 'active', 'reconnecting', 'failed'] as const;
export type ForwardStateName = (typeof FORWARD_STATE_NAMES)[number];

/** Running: it holds its port or is about to (everything but stopped and failed). */
export function isRunning(s: ForwardStateName | undefined): boolean {
  return s === 'connecting' || s === 'active' || s === 'reconnecting';
}

export interface ForwardReason {
  code: ErrorCode;
  message: string;
  details?: ErrorDetails;
}

/** The reason a state carries for an error: code, message and its typed details. */
export function reasonOf(err: Pick<BurrowError, 'code' | 'message' | 'details'>): ForwardReason {
  return err.details ? { code: err.code, message: err.message, details: err.details } : { code: err.code, message: err.message };
}

/** Where a forward actually listens (a remote port 0 becomes the server's choice). */
export type BoundAddress = { host: string; port: number } | { path: string };

/**
 * What an active forward knows of its destination: 'untried' until a first
 * connection (or a health check) has reached it or failed, so a server that
 * forbids forwarding does not pass for a working tunnel.
 */
export type DestinationStatus = { status: 'untried' } | { status: 'reachable' } | { status: 'failing'; reason: ForwardReason };

/** A forward's state: each state carries only its own facts. */
export type ForwardState =
  | { state: 'stopped' }
  | { state: 'connecting' }
  | { state: 'active'; bound: BoundAddress; destination: DestinationStatus }
  | {
      state: 'reconnecting';
      /** Kept while the session is away; absent for a remote forward not yet listening. */
      bound?: BoundAddress;
      reason?: ForwardReason;
      /** The attempt's number, and when it starts (epoch ms; absent while it is under way). */
      attempt?: number;
      nextAttemptAt?: number;
    }
  | { state: 'failed'; reason: ForwardReason };

/** Why a forward is not (fully) working, if it is not: a failure, a reconnect's cause or a failing destination. */
export function stateReason(s: ForwardState): ForwardReason | undefined {
  if (s.state === 'failed' || s.state === 'reconnecting') return s.reason;
  if (s.state === 'active' && s.destination.status === 'failing') return s.destination.reason;
  return undefined;
}

/** Where it listens, in the states that hold a listener. */
export function boundOf(s: ForwardState): BoundAddress | undefined {
  return s.state === 'active' || s.state === 'reconnecting' ? s.bound : undefined;
}

export const destinationFailing = (s: ForwardState): boolean => s.state === 'active' && s.destination.status === 'failing';

/** Active, and no connection or health check has reached its destination yet. */
export const destinationUntried = (s: ForwardState): boolean => s.state === 'active' && s.destination.status === 'untried';

export interface ForwardStats {
  openConnections: number;
  totalConnections: number;
  /** Bytes from the listening side towards the destination. */
  bytesOut: number;
  /** Bytes from the destination back to the listening side. */
  bytesIn: number;
}

export type LogLevel = 'info' | 'warn' | 'error';

export interface LogEntry {
  time: number;
  level: LogLevel;
  /** The forward it concerns, if any. */
  forwardId?: string;
  code?: ErrorCode;
  message: string;
}

export interface LiveConnection {
  id: number;
  /** "127.0.0.1:53122" */
  source: string;
  openedAt: number;
  bytesIn: number;
  bytesOut: number;
}

export interface HealthResult {
  ok: boolean;
  rttMs?: number;
  /**
   * What the round trip measured: 'destination' (a channel opened to the forward's
   * destination, or for -R a TCP connect to it from this machine) or 'session' (-D
   * has no fixed destination: one SSH keepalive answered by the server).
   */
  measured?: 'destination' | 'session';
  /** The same in words, e.g. "SSH session round trip to alice@host (keepalive)". */
  what?: string;
  error?: { code: ErrorCode; message: string };
}

/** An unknown host key, for a person to judge; a changed key is never asked, only refused. */
/** Who asks a question: the saved host (by name) whose login it is, and the forwards waiting on that login. */
export interface Asker {
  host: string;
  forwards: string[];
}

export interface HostKeyQuestion {
  host: string;
  port: number;
  keyType: string;
  /** "SHA256:..." */
  fingerprint: string;
  kind: 'unknown';
  otherKnownTypes: string[];
}

export type HostKeyAnswer = 'once' | 'save' | 'reject';

export interface SecretQuestion {
  kind: 'password' | 'passphrase' | 'otp';
  /** e.g. "root@db.example.com" or the key file path. */
  subject: string;
  prompt: string;
  echo?: boolean;
  /** Why this is asked again: the previous answer was refused ("Permission denied, please try again."). */
  retry?: string;
}
