// Waiting for a forward's state in engine tests: resolves on the first state
// (current or next) that satisfies pred; the error says the last state seen.
import type { TunnelEngine } from '../../electron/tunnels/engine';
import type { BoundAddress, DestinationStatus, ForwardInfo, ForwardReason, ForwardState, ForwardStateName } from '../../electron/tunnels/types';

/** Any state's fields, for assertions that read them without narrowing on `state` first. */
export interface StateFields {
  state: ForwardStateName;
  bound?: BoundAddress;
  reason?: ForwardReason;
  attempt?: number;
  nextAttemptAt?: number;
  destination?: DestinationStatus;
}

export function waitState(e: TunnelEngine, id: string, pred: (s: StateFields) => boolean, timeoutMs = 20_000): Promise<StateFields> {
  return new Promise((resolve, reject) => {
    if (pred(e.get(id).state)) return resolve(e.get(id).state);
    const timer = setTimeout(() => {
      e.off('state', on);
      reject(new Error(`state not reached within ${timeoutMs} ms; now ${JSON.stringify(e.get(id).state)}`));
    }, timeoutMs);
    const on = (fid: string, s: ForwardState) => {
      if (fid !== id || !pred(s)) return;
      clearTimeout(timer);
      e.off('state', on);
      resolve(s);
    };
    e.on('state', on);
  });
}

/** The TCP port a running forward listens on (throws if it has none). */
export function boundPort(info: ForwardInfo): number {
  const s = info.state;
  const b = s.state === 'active' || s.state === 'reconnecting' ? s.bound : undefined;
  if (!b || !('port' in b)) throw new Error(`forward '${info.id}' listens on no port; its state: ${JSON.stringify(s)}`);
  return b.port;
}
