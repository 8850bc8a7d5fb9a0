// Hooks that read one slice of the store each, so components re-render only
// when their slice changes.
import { useCallback, useSyncExternalStore } from 'react';
import type { ForwardState, LogEntry, PromptRequest, Snapshot } from '../../../shared/contract';
import { store, type HostKeyAlarm, type Live } from '../store';

export function useSnapshot(): Snapshot | null {
  return useSyncExternalStore(
    useCallback((l) => store.subscribe('snapshot', l), []),
    () => store.snapshot,
  );
}

export function useLoadError(): string | null {
  return useSyncExternalStore(
    useCallback((l) => store.subscribe('snapshot', l), []),
    () => store.loadError,
  );
}

/** Every forward's state name (for filters and tray-like summaries). */
export function useStates(): Record<string, ForwardState> {
  return useSyncExternalStore(
    useCallback((l) => store.subscribe('states', l), []),
    () => store.states,
  );
}

/** One forward's state, counters and throughput history. */
export function useLive(name: string): Live | undefined {
  return useSyncExternalStore(
    useCallback((l) => store.subscribe(`live:${name}`, l), [name]),
    () => store.getLive(name),
  );
}

export function useLogs(name: string): LogEntry[] | undefined {
  return useSyncExternalStore(
    useCallback((l) => store.subscribe(`logs:${name}`, l), [name]),
    () => store.getLogs(name),
  );
}

export function usePrompts(): PromptRequest[] {
  return useSyncExternalStore(
    useCallback((l) => store.subscribe('prompts', l), []),
    () => store.prompts,
  );
}

export function useHostKeyAlarms(): HostKeyAlarm[] {
  return useSyncExternalStore(
    useCallback((l) => store.subscribe('hostKeyAlarms', l), []),
    () => store.hostKeyAlarms,
  );
}
