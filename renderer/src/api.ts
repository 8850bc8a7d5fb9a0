// The one API object: the preload's in the Electron window, a WebSocket client
// in the browser mode (`burrow web`). Nothing else differs between the two.
import { buildBurrowApi } from '../../shared/burrow-api';
import {
  API_GLOBAL,
  CHANNELS,
  EVENTS,
  type BurrowApi,
  type Channel,
  type DesktopApi,
  type Failure,
  type Input,
  type Output,
  type Result,
} from '../../shared/contract';
import { createWebSocketTransport, type WebSocketConnection } from './ws-client';

function pickApi(): { api: BurrowApi; web: WebSocketConnection | null } {
  const preload = (window as unknown as Record<string, BurrowApi | undefined>)[API_GLOBAL];
  if (preload) return { api: preload, web: null };
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const web = createWebSocketTransport(`${scheme}://${location.host}/ws`);
  // The same object the preload builds, over the WebSocket instead of IPC.
  return { api: buildBurrowApi({ channels: CHANNELS, events: EVENTS, transport: web.transport }), web };
}

const picked = pickApi();
export const api: BurrowApi = picked.api;
/** The WebSocket connection in the browser mode (null in Electron). */
export const webConnection: WebSocketConnection | null = picked.web;
/** The desktop app's native dialogs (null in the browser mode: controls that need them are not shown). */
export const desktop: DesktopApi | null = picked.api.desktop ?? null;

/** A domain error from the main process, with its code and (for validation) the fields. */
export class ApiError extends Error {
  readonly failure: Failure;
  constructor(failure: Failure) {
    super(failure.message);
    this.failure = failure;
  }
  get code() {
    return this.failure.code;
  }
}

/** Calls a channel and returns its Result. */
export const invoke = <C extends Channel>(channel: C, input: Input<C>): Promise<Result<Output<C>>> =>
  (api.invoke as (c: C, i: Input<C>) => Promise<Result<Output<C>>>)(channel, input);

/** Calls a channel and returns its value, or throws ApiError. */
export async function call<C extends Channel>(channel: C, input: Input<C>): Promise<Output<C>> {
  const r = await invoke(channel, input);
  if (!r.ok) throw new ApiError(r);
  return r.value;
}

export const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));
