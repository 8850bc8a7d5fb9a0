// Which state changes become a desktop notification, rate-limited so that a
// flapping link does not spam: per forward at most one notification per window;
// what happens inside the window is summed up once at its end, and only if the
// forward's state then differs from what the person was last told.
import { stateReason, type ForwardState, type ForwardStateName } from '../../shared/tunnel-state';

export type NotificationKind = 'failed' | 'dropped' | 'recovered';

export interface DesktopNotification {
  forwardId: string;
  kind: NotificationKind;
  title: string;
  body: string;
}

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface NotifyPolicyOptions {
  /** Minimum time between two notifications about the same forward. */
  perForwardMs?: number;
  /** At most this many notifications across all forwards per globalWindowMs. */
  globalLimit?: number;
  globalWindowMs?: number;
  enabled?: () => boolean;
  nameOf?: (id: string) => string;
  clock?: Clock;
  send: (n: DesktopNotification) => void;
}

type Told = 'down' | 'up' | 'failed';

interface Track {
  prev: ForwardStateName;
  lastSentAt: number;
  told?: Told;
  /** Changes swallowed since the last notification. */
  suppressed: number;
  current: ForwardState;
  timer?: unknown;
}

export function classify(prev: ForwardStateName, next: ForwardState): NotificationKind | undefined {
  if (next.state === 'failed' && prev !== 'failed') return 'failed';
  if (next.state === 'reconnecting' && prev === 'active') return 'dropped';
  if (next.state === 'active' && prev === 'reconnecting') return 'recovered';
  return undefined;
}

const toldOf = (k: NotificationKind): Told => (k === 'failed' ? 'failed' : k === 'dropped' ? 'down' : 'up');

function message(kind: NotificationKind, name: string, s: ForwardState, suppressed: number): Omit<DesktopNotification, 'forwardId' | 'kind'> {
  const flaps = suppressed > 0 ? ` It changed state ${suppressed + 1} times in a short while; the link looks unstable.` : '';
  const reason = stateReason(s);
  const why = reason ? ` ${reason.message}` : '';
  switch (kind) {
    case 'failed':
      // The window shows the full warning (old and new key, what to do); the notification must not read like a routine failure.
      if (reason?.code === 'HOSTKEY_CHANGED' || reason?.code === 'HOSTKEY_REVOKED') {
        return {
          title: `Warning: ${name} refused, the server's host key ${reason.code === 'HOSTKEY_REVOKED' ? 'is revoked' : 'has changed'}`,
          body: 'This could be an attack (someone between you and the server), or the server was reinstalled. Nothing was sent. Open Burrow to see the keys and what to do.',
        };
      }
      return { title: `${name} failed`, body: `${why.trim() || 'The forward stopped with an error.'}${flaps}` };
    case 'dropped':
      return { title: `${name} dropped`, body: `The SSH connection was lost; Burrow is reconnecting.${why}${flaps}` };
    case 'recovered':
      return { title: `${name} is back`, body: `The forward reconnected.${flaps}` };
  }
}

export class NotifyPolicy {
  private tracks = new Map<string, Track>();
  private sentTimes: number[] = [];
  private readonly perForwardMs: number;
  private readonly globalLimit: number;
  private readonly globalWindowMs: number;
  private readonly clock: Clock;

  constructor(private opts: NotifyPolicyOptions) {
    this.perForwardMs = opts.perForwardMs ?? 60_000;
    this.globalLimit = opts.globalLimit ?? 4;
    this.globalWindowMs = opts.globalWindowMs ?? 10_000;
    this.clock = opts.clock ?? realClock;
  }

  /** Feed every engine 'state' event here. */
  onState(id: string, state: ForwardState): void {
    const now = this.clock.now();
    let t = this.tracks.get(id);
    if (!t) {
      t = { prev: 'stopped', lastSentAt: -Infinity, suppressed: 0, current: state };
      this.tracks.set(id, t);
    }
    const kind = classify(t.prev, state);
    t.prev = state.state;
    t.current = state;
    if (state.state === 'stopped') {
      // Stopped on purpose: nothing left to tell.
      this.cancel(t);
      t.told = undefined;
      t.suppressed = 0;
      return;
    }
    if (!kind) return;
    if (this.opts.enabled && !this.opts.enabled()) return;
    if (now - t.lastSentAt < this.perForwardMs) {
      t.suppressed++;
      if (t.timer === undefined) t.timer = this.clock.setTimeout(() => this.flush(id), t.lastSentAt + this.perForwardMs - now);
      return;
    }
    this.send(id, t, kind, now);
  }

  /** At the end of a quiet window: tell the current state if it is not what was last told. */
  private flush(id: string) {
    const t = this.tracks.get(id);
    if (!t) return;
    t.timer = undefined;
    const s = t.current.state;
    const kind: NotificationKind | undefined = s === 'failed' ? 'failed' : s === 'reconnecting' ? 'dropped' : s === 'active' ? 'recovered' : undefined;
    if (!kind || toldOf(kind) === t.told || (this.opts.enabled && !this.opts.enabled())) {
      t.suppressed = 0;
      return;
    }
    this.send(id, t, kind, this.clock.now());
  }

  private send(id: string, t: Track, kind: NotificationKind, now: number) {
    this.sentTimes = this.sentTimes.filter((x) => now - x < this.globalWindowMs);
    if (this.sentTimes.length >= this.globalLimit) {
      // Many forwards at once (the network went away): the first few say it.
      t.suppressed++;
      return;
    }
    this.sentTimes.push(now);
    const name = this.opts.nameOf?.(id) ?? id;
    const m = message(kind, name, t.current, t.suppressed);
    t.lastSentAt = now;
    t.told = toldOf(kind);
    t.suppressed = 0;
    this.opts.send({ forwardId: id, kind, ...m });
  }

  private cancel(t: Track) {
    if (t.timer !== undefined) this.clock.clearTimeout(t.timer);
    t.timer = undefined;
  }

  forget(id: string): void {
    const t = this.tracks.get(id);
    if (t) this.cancel(t);
    this.tracks.delete(id);
  }

  dispose(): void {
    for (const t of this.tracks.values()) this.cancel(t);
    this.tracks.clear();
  }
}
