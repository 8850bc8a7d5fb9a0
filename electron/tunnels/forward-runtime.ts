// What the engine gives each running forward, and what it expects back.
import type { BurrowError } from '../../shared/errors';
import type { Endpoint } from '../../shared/forward-spec';
import type { ReconnectPolicy, SshSession } from './session';
import type { ForwardStats, LiveConnection, LogLevel } from '../../shared/tunnel-state';

export type { LiveConnection };

export interface ForwardContext {
  id: string;
  session: SshSession;
  stats: ForwardStats;
  /** How long a connection waits for a session that is reconnecting. */
  connectionWaitMs: number;
  channelTimeoutMs: number;
  log(level: LogLevel, message: string, code?: BurrowError['code']): void;
  /** A connection reached its destination. */
  destinationOk(): void;
  /** A connection could not reach its destination (refused, prohibited, ...). */
  destinationFailed(err: BurrowError): void;
  /** Backoff for what a forward retries on its own (a remote listener the server refused). */
  retryPolicy: ReconnectPolicy;
  /** A remote forward listens again after a reconnect (perhaps on a new port): where. */
  listening(where: Endpoint): void;
  /** A remote forward could not listen again; it tries again at nextAttemptAt. */
  retrying(err: BurrowError, attempt: number, nextAttemptAt: number): void;
}

export interface ForwardRuntime {
  /**
   * Binds or requests the listener; resolves with where it actually listens, or
   * undefined when that waits for the session (a remote forward while it reconnects).
   */
  start(): Promise<Endpoint | undefined>;
  stop(): Promise<void>;
  connections(): LiveConnection[];
  closeConnection(id: number): boolean;
  /**
   * The session came back after a drop (remote forwards re-request here, and
   * report through the context's listening() or retrying()).
   */
  sessionUp?(): void;
  /** "Retry now": skip the wait before the forward's own next attempt. */
  retryNow?(): void;
}
