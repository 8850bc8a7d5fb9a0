// The one API object: the preload's in the Electron window, a WebSocket client
// in the browser mode (`burrow web`). Nothing else differs between the two.
import { API_GLOBAL, type BurrowApi, type Channel, type DesktopApi, type Failure, type Input, type Output } from '../../shared/contract';
import { createWebSocketApi, type WebSocketApi } from './ws-client';

function pickApi(): { api: BurrowApi; web: WebSocketApi | null } {
  const preload = (window as unknown as Record<string, BurrowApi | undefined>)[API_GLOBAL];
  if (preload) return { api: preload, web: null };
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const web = createWebSocketApi(`${scheme}://${location.host}/ws`);
  return { api: web, web };
}

const picked = pickApi();
export const api: BurrowApi = picked.api;
/** The WebSocket connection in the browser mode (null in Electron). */
export const webConnection: WebSocketApi | null = picked.web;
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

/** Calls a channel and returns its value, or throws ApiError. */
export async function call<C extends Channel>(channel: C, input: Input<C>): Promise<Output<C>> {
  const r = await api.invoke(channel, input);
  if (!r.ok) throw new ApiError(r);
  return r.value;
}

export const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));
