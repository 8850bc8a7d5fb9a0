// The one API object the renderer gets (window.burrow in the Electron window,
// the WebSocket client in the browser mode, the test harness's fake preload):
// a generic invoke(channel, input) and on(event, cb), both typed from the
// contract and refusing names it does not have, and `desktop` where the app has
// native dialogs.
//
// buildBurrowApi is a pure function of the channel and event lists and a
// transport, so every side builds the very same shape and nothing can drift
// from the contract. This file has type-only imports: the test harness injects
// it into a page as it is.
import type { BurrowApi, Channel, DesktopApi, EventName, Result } from './contract';

/** What carries requests and events: Electron's IPC in the preload, a WebSocket in the browser mode. */
export interface ApiTransport {
  /** Sends a request; resolves with the result (a domain error is a Failure, never a rejection). */
  invoke(channel: Channel, input: unknown): Promise<Result<unknown>>;
  /** Subscribes to an event; the callback gets the payload only. Returns the unsubscribe. */
  on(event: EventName, cb: (payload: unknown) => void): () => void;
}

export interface BuildApiOptions {
  /** The contract's channels (CHANNELS): invoke() refuses any other. */
  channels: readonly Channel[];
  /** The contract's events (EVENTS): on() refuses any other. */
  events: readonly EventName[];
  transport: ApiTransport;
  /** The desktop app's extras; left out in the browser mode. */
  desktop?: DesktopApi;
}

/** The frozen API object: invoke(), on(), and desktop when given. */
export function buildBurrowApi(opts: BuildApiOptions): BurrowApi {
  const { transport } = opts;
  const channels = new Set<string>(opts.channels);
  const events = new Set<string>(opts.events);
  const api: Record<string, unknown> = {
    invoke(channel: Channel, input?: unknown) {
      // A rejection, not a Failure: a channel the contract lacks is a programming error.
      if (!channels.has(channel)) return Promise.reject(new Error(`Unknown channel '${String(channel)}'.`));
      return transport.invoke(channel, input);
    },
    on(event: EventName, cb: (payload: never) => void) {
      if (!events.has(event)) throw new Error(`Unknown event '${String(event)}'.`);
      if (typeof cb !== 'function') throw new Error('on() needs a callback.');
      return transport.on(event, (payload) => cb(payload as never));
    },
  };
  if (opts.desktop) api.desktop = Object.freeze({ ...opts.desktop });
  return Object.freeze(api) as unknown as BurrowApi;
}

/** The keys of the API object (what Object.keys(window.burrow) shows). */
export function apiKeys(withDesktop: boolean): string[] {
  return ['invoke', 'on', ...(withDesktop ? ['desktop'] : [])];
}
