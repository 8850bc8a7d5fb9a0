// The window's state as an external store, read with useSyncExternalStore.
// Subscriptions are keyed, so a stats tick wakes only the rows whose numbers
// changed, a state change only that row (and the list's filter), and the list
// itself only re-renders when forwards are added, removed or edited.
import type { Events, ForwardState, ForwardStats, ForwardView, HostView, LogEntry, PromptRequest, Snapshot } from '../../shared/contract';
import { changedHostKeyWarning, type ChangedHostKey } from '../../shared/host-key-warning';

/** Bytes per second, oldest first. */
export interface Rate {
  time: number;
  in: number;
  out: number;
}

export interface Live {
  state: ForwardState;
  stats: ForwardStats;
  rates: Rate[];
}

/** A server's host key changed: the loud warning, for every forward refused for it. */
export interface HostKeyAlarm {
  /** The server and its new key: forwards refused for the same change share one warning. */
  id: string;
  warning: ChangedHostKey;
  /** The engine's own words. */
  message: string;
  forwards: string[];
}

export const HISTORY = 60;
const ZERO_STATS: ForwardStats = { openConnections: 0, totalConnections: 0, bytesIn: 0, bytesOut: 0 };

type Listener = () => void;

export class Store {
  snapshot: Snapshot | null = null;
  loadError: string | null = null;
  prompts: PromptRequest[] = [];
  /** Every forward's state by name; replaced (not mutated) on change. */
  states: Record<string, ForwardState> = {};
  /** Changed host keys not yet dismissed, oldest first. */
  hostKeyAlarms: HostKeyAlarm[] = [];
  /** Forwards whose state says their host key changed, and was warned about: one warning per failure. */
  private hostKeyRefused = new Set<string>();
  private live = new Map<string, Live>();
  private logs = new Map<string, LogEntry[]>();
  private lastTick = 0;
  private listeners = new Map<string, Set<Listener>>();

  subscribe(key: string, l: Listener): () => void {
    let set = this.listeners.get(key);
    if (!set) this.listeners.set(key, (set = new Set()));
    set.add(l);
    return () => set.delete(l);
  }

  private notify(key: string) {
    this.listeners.get(key)?.forEach((l) => l());
  }

  getLive(name: string): Live | undefined {
    return this.live.get(name);
  }

  getLogs(name: string): LogEntry[] | undefined {
    return this.logs.get(name);
  }

  // ------------------------------------------------------------ updates

  setSnapshot(s: Snapshot) {
    this.snapshot = s;
    this.loadError = null;
    const states: Record<string, ForwardState> = {};
    for (const v of s.forwards) {
      states[v.forward.name] = v.state;
      this.mergeView(v, false);
      this.watchHostKey(v.forward.name, v.state);
    }
    for (const name of [...this.live.keys()]) if (!Object.hasOwn(states, name)) this.live.delete(name);
    for (const name of [...this.hostKeyRefused]) if (!Object.hasOwn(states, name)) this.hostKeyRefused.delete(name);
    this.states = states;
    this.notify('snapshot');
    this.notify('states');
  }

  setLoadError(message: string) {
    this.loadError = message;
    this.notify('snapshot');
  }

  /** A ForwardView from a request's answer (start, stop, edit): its state may be newer than the events so far. */
  mergeView(v: ForwardView, notifyStates = true) {
    const name = v.forward.name;
    const cur = this.live.get(name);
    this.live.set(name, { state: v.state, stats: v.stats, rates: cur?.rates ?? [] });
    this.notify(`live:${name}`);
    if (notifyStates) this.setState(name, v.state);
  }

  setState(name: string, state: ForwardState) {
    const cur = this.live.get(name);
    this.live.set(name, { state, stats: cur?.stats ?? ZERO_STATS, rates: cur?.rates ?? [] });
    this.states = { ...this.states, [name]: state };
    this.notify(`live:${name}`);
    this.notify('states');
    this.watchHostKey(name, state);
  }

  /**
   * Raises the changed-host-key warning when a forward is refused for it,
   * however it was started (the window, the tray, autostart, another window):
   * once per failure, until the forward leaves that state (a new start that
   * fails again warns again).
   */
  private watchHostKey(name: string, state: ForwardState) {
    const reason = state.state === 'failed' || state.state === 'reconnecting' ? state.reason : undefined;
    if (reason?.code !== 'HOSTKEY_CHANGED') {
      this.hostKeyRefused.delete(name);
      return;
    }
    if (this.hostKeyRefused.has(name)) return;
    this.hostKeyRefused.add(name);
    const { message, details } = reason;
    const warning = details?.kind === 'hostKeyChanged' ? changedHostKeyWarning(details) : { host: '', systemWide: false, duringSession: false };
    const id = `${warning.host} ${warning.fingerprint ?? message}`;
    const open = this.hostKeyAlarms.find((a) => a.id === id);
    if (open?.forwards.includes(name)) return;
    this.hostKeyAlarms = open
      ? this.hostKeyAlarms.map((a) => (a === open ? { ...a, forwards: [...a.forwards, name] } : a))
      : [...this.hostKeyAlarms, { id, warning, message, forwards: [name] }];
    this.notify('hostKeyAlarms');
  }

  dismissHostKeyAlarm(id: string) {
    this.hostKeyAlarms = this.hostKeyAlarms.filter((a) => a.id !== id);
    this.notify('hostKeyAlarms');
  }

  applyStats(e: Events['stats']) {
    const dt = this.lastTick ? Math.max(0.2, (e.time - this.lastTick) / 1000) : 1;
    this.lastTick = e.time;
    for (const [name, stats] of Object.entries(e.stats)) {
      const cur = this.live.get(name);
      if (!cur) continue;
      const rate: Rate = {
        time: e.time,
        in: Math.max(0, (stats.bytesIn - cur.stats.bytesIn) / dt),
        out: Math.max(0, (stats.bytesOut - cur.stats.bytesOut) / dt),
      };
      const flat = rate.in === 0 && rate.out === 0 && cur.rates.every((r) => r.in === 0 && r.out === 0);
      const same = sameStats(stats, cur.stats);
      // Nothing to draw and nothing to count: leave the row alone.
      if (same && flat) continue;
      const rates = [...cur.rates, rate].slice(-HISTORY);
      this.live.set(name, { state: cur.state, stats, rates });
      this.notify(`live:${name}`);
    }
  }

  setLogs(name: string, entries: LogEntry[]) {
    this.logs.set(name, entries);
    this.notify(`logs:${name}`);
  }

  addLog(entry: LogEntry) {
    if (!entry.forwardId) return;
    const cur = this.logs.get(entry.forwardId);
    if (!cur) return; // loaded when its details open
    this.logs.set(entry.forwardId, [...cur, entry].slice(-500));
    this.notify(`logs:${entry.forwardId}`);
  }

  addPrompt(p: PromptRequest) {
    if (this.prompts.some((x) => x.id === p.id)) return;
    this.prompts = [...this.prompts, p];
    this.notify('prompts');
  }

  setPrompts(ps: PromptRequest[]) {
    this.prompts = ps;
    this.notify('prompts');
  }

  closePrompt(id: string) {
    if (!this.prompts.some((x) => x.id === id)) return;
    this.prompts = this.prompts.filter((x) => x.id !== id);
    this.notify('prompts');
  }

  // ------------------------------------------------------------ derived reads

  forward(name: string): ForwardView | undefined {
    return this.snapshot?.forwards.find((f) => f.forward.name === name);
  }

  host(name: string): HostView | undefined {
    return this.snapshot?.hosts.find((h) => h.host.name === name);
  }
}

function sameStats(a: ForwardStats, b: ForwardStats) {
  return a.bytesIn === b.bytesIn && a.bytesOut === b.bytesOut && a.openConnections === b.openConnections && a.totalConnections === b.totalConnections;
}

export const store = new Store();
