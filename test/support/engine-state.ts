// Waiting for a forward's state in engine tests: resolves on the first state
// (current or next) that satisfies pred; the error says the last state seen.
import type { TunnelEngine } from '../../electron/tunnels/engine';
import type { ForwardState } from '../../electron/tunnels/types';

export function waitState(e: TunnelEngine, id: string, pred: (s: ForwardState) => boolean, timeoutMs = 20_000): Promise<ForwardState> {
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
