// Whether the window has lost its connection to the engine (browser mode:
// `burrow web` stopped or unreachable). What it shows then is out of date:
// states are unknown and actions cannot reach anything.
import { useSyncExternalStore } from 'react';
import { webConnection } from '../api';

const never = { subscribe: () => () => undefined, get: () => null };

/** The browser mode's connection state (null in the desktop app). */
export function useWebConnection() {
  const c = webConnection;
  return useSyncExternalStore(c ? c.onConnection : never.subscribe, c ? c.connection : never.get);
}

export function useEngineLost(): boolean {
  const state = useWebConnection();
  // A first connection still being made is not "lost".
  return !!state && state.status !== 'open' && !(state.status === 'connecting' && state.attempts === 0);
}
