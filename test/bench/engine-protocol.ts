// Messages between the benchmark and the child process that runs Burrow's engine.
import type { ForwardSpec } from '../../shared/forward-spec';
import type { HostConfig } from '../../electron/tunnels/types';

export interface LoopDelay {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export type EngineRequest =
  | { cmd: 'probe' }
  | { cmd: 'start'; host: HostConfig; forwards: Array<{ id: string; spec: ForwardSpec }> }
  | { cmd: 'gc' }
  | { cmd: 'heap' }
  | { cmd: 'loopDelayStart' }
  | { cmd: 'loopDelayStop' }
  | { cmd: 'shutdown' };

export interface EngineReplies {
  probe: { local: boolean; dynamic: boolean; remote: boolean; why: Record<string, string> };
  /** Where each forward listens (port), by forward id. */
  start: Record<string, number>;
  gc: null;
  /** JS heap used + external memory (bytes), after a GC. */
  heap: number;
  loopDelayStart: null;
  loopDelayStop: LoopDelay;
  shutdown: null;
}

export type Envelope = { seq: number } & EngineRequest;
export type ReplyEnvelope = { seq: number; ok: true; result: unknown } | { seq: number; ok: false; error: string };
