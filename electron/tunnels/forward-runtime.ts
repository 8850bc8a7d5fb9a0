// What the engine gives each running forward, and what it expects back.
import type { BurrowError } from '../../shared/errors';
import type { Endpoint } from '../../shared/forward-spec';
import type { SshSession } from './session';
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
}

export interface ForwardRuntime {
  /** Binds or requests the listener; resolves with where it actually listens. */
  start(): Promise<Endpoint>;
  stop(): Promise<void>;
  connections(): LiveConnection[];
  closeConnection(id: number): boolean;
  /** The session came back after a drop (remote forwards re-request here). */
  sessionUp?(): Promise<void>;
}
