// The one API object the renderer gets (window.burrow in the Electron window,
// the WebSocket client in the browser mode, the test harness's fake preload):
// one method per contract channel, named after it ('forward.fromPreset' ->
// forwardFromPreset, 'export' -> export), on(event, cb) that passes only the
// payload, and `desktop` where the app has native dialogs.
//
// buildBurrowApi is a pure function of the channel and event lists and a
// transport, so every side builds the very same shape and nothing can drift
// from the contract. This file has type-only imports: the test harness injects
// it into a page as it is.
import type { ApiMethodName, BurrowApi, Channel, DesktopApi, EventName, Input, Output, Result } from './contract';

/** The method name of a channel: dots dropped, each following part capitalised. */
export function methodName<C extends Channel>(channel: C): ApiMethodName<C> {
  return channel.replace(/\.([a-zA-Z])/g, (_m, c: string) => c.toUpperCase()) as ApiMethodName<C>;
}

/** What carries requests and events: Electron's IPC in the preload, a WebSocket in the browser mode. */
export interface ApiTransport {
  /** Sends a request; resolves with the result (a domain error is a Failure, never a rejection). */
  invoke(channel: Channel, input: unknown): Promise<Result<unknown>>;
  /** Subscribes to an event; the callback gets the payload only. Returns the unsubscribe. */
  on(event: EventName, cb: (payload: unknown) => void): () => void;
}

export interface BuildApiOptions {
  /** The contract's channels (CHANNELS): one method each. */
  channels: readonly Channel[];
  /** The contract's events (EVENTS): on() refuses any other. */
  events: readonly EventName[];
  transport: ApiTransport;
  /** The desktop app's extras; left out in the browser mode. */
  desktop?: DesktopApi;
}

/** Names the API object uses besides the channel methods. */
export const API_EXTRAS = ['on', 'desktop'] as const;

/** The frozen API object: a method per channel, on(), and desktop when given. */
export function buildBurrowApi(opts: BuildApiOptions): BurrowApi {
  const { transport } = opts;
  const known = new Set<string>(opts.events);
  const api: Record<string, unknown> = {};
  for (const channel of opts.channels) {
    const name = methodName(channel);
    if (name in api || (API_EXTRAS as readonly string[]).includes(name)) throw new Error(`Two API methods would be named '${name}'.`);
    api[name] = (input?: unknown) => transport.invoke(channel, input);
  }
  api.on = (event: EventName, cb: (payload: never) => void) => {
    if (!known.has(event)) throw new Error(`Unknown event '${String(event)}'.`);
    if (typeof cb !== 'function') throw new Error('on() needs a callback.');
    return transport.on(event, (payload) => cb(payload as never));
  };
  if (opts.desktop) api.desktop = Object.freeze({ ...opts.desktop });
  return Object.freeze(api) as unknown as BurrowApi;
}

/** Calls a channel through an API object (by its method): for code that picks the channel at run time. */
export function invokeChannel<C extends Channel>(api: BurrowApi, channel: C, input: Input<C>): Promise<Result<Output<C>>> {
  const method = (api as unknown as Record<string, (i: unknown) => Promise<Result<Output<C>>>>)[methodName(channel)];
  return method(input);
}

/** The keys of the API object for these channels (what Object.keys(window.burrow) shows). */
export function apiKeys(channels: readonly Channel[], withDesktop: boolean): string[] {
  return [...channels.map((c) => methodName(c) as string), 'on', ...(withDesktop ? ['desktop'] : [])];
}
