// The browser mode's transport: requests and events over one WebSocket
// (electron/web/protocol.ts describes the same messages on the server side).
// api.ts builds the very same API object on it as the preload does over IPC.
// Reconnects on its own; a reconnect counts as "profiles changed", so the
// window reloads its state.
//
// The access token comes in the URL fragment of the printed URL (#token=...),
// which the browser never sends to a server. It is kept in this tab's
// sessionStorage (so a reload still works; no other origin can read it), taken
// out of the address bar, and sent as the first message on this server's
// WebSocket only (electron/web/guard.ts has the whole design).
import type { Channel, EventName, Failure, Result } from '../../shared/contract';
import type { ApiTransport } from '../../shared/burrow-api';
import { ACCESS_REFUSED, type ClientMessage, type ServerMessage } from '../../shared/ws-protocol';

export type ConnectionState = {
  status: 'connecting' | 'open' | 'closed';
  attempts: number;
  /** Why the server does not let this page in (no token, a wrong one): no retry until a new token comes. */
  refused?: string;
};

export interface WebSocketConnection {
  transport: ApiTransport;
  connection(): ConnectionState;
  onConnection(cb: () => void): () => void;
}

const TOKEN_KEY = 'burrow-web-token';
const NO_TOKEN = 'This page has no access token: open the URL that burrow web printed (it ends in #token=...).';

const lost = (): Failure => ({
  ok: false,
  code: 'INTERNAL',
  message: 'The connection to burrow web was lost. It reconnects by itself; if it does not, check that burrow web is still running.',
});
const refusal = (message: string): Failure => ({ ok: false, code: 'USAGE', message });

/** Moves a token in the address bar's fragment into sessionStorage; returns whether there was one. */
function takeTokenFromUrl(): boolean {
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  if (!token) return false;
  sessionStorage.setItem(TOKEN_KEY, token);
  history.replaceState(history.state, '', location.pathname + location.search);
  return true;
}

export function createWebSocketTransport(url: string): WebSocketConnection {
  let ws: WebSocket | null = null;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let nextId = 1;
  let state: ConnectionState = { status: 'connecting', attempts: 0 };
  /** After any close, the next sign-in reloads the window's state. */
  let reload = false;
  const pending = new Map<number, (r: Result<unknown>) => void>();
  const outbox: string[] = [];
  const listeners = new Map<EventName, Set<(p: unknown) => void>>();
  const connListeners = new Set<() => void>();

  const setState = (s: ConnectionState) => {
    state = s;
    connListeners.forEach((l) => l());
  };
  const dispatchEvent = (event: EventName, payload: unknown) => listeners.get(event)?.forEach((cb) => cb(payload));
  const send = (msg: ClientMessage) => {
    const text = JSON.stringify(msg);
    if (ws?.readyState === WebSocket.OPEN) ws.send(text);
    else outbox.push(text);
  };
  const sendVisibility = () => send({ type: 'visibility', visible: document.visibilityState === 'visible' });

  const dropPending = (failure: Failure) => {
    reload = true;
    for (const [id, resolve] of pending) {
      resolve(failure);
      pending.delete(id);
    }
    outbox.length = 0;
  };
  const closed = (refused?: string) => {
    dropPending(refused ? refusal(refused) : lost());
    const attempts = state.attempts + 1;
    setState({ status: 'closed', attempts, refused });
    if (!refused) retry = setTimeout(open, Math.min(10_000, 250 * 2 ** Math.min(attempts, 6)));
  };

  const open = () => {
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (!token) return closed(NO_TOKEN);
    setState({ status: 'connecting', attempts: state.attempts });
    const sock = new WebSocket(url);
    ws = sock;
    sock.onopen = () => {
      sock.send(JSON.stringify({ type: 'hello', token } satisfies ClientMessage));
      if (document.visibilityState !== 'visible') sendVisibility();
      outbox.splice(0).forEach((m) => sock.send(m));
    };
    sock.onmessage = (e) => {
      let m: ServerMessage;
      try {
        m = JSON.parse(String(e.data)) as ServerMessage;
      } catch {
        return;
      }
      if (m.type === 'ready') {
        setState({ status: 'open', attempts: 0 });
        if (reload) dispatchEvent('profiles', { source: 'external' });
        reload = false;
      } else if (m.type === 'result') {
        pending.get(m.id)?.(m.result);
        pending.delete(m.id);
      } else dispatchEvent(m.event, m.payload);
    };
    sock.onclose = (e) => {
      if (ws !== sock) return;
      ws = null;
      if (e.code === ACCESS_REFUSED) sessionStorage.removeItem(TOKEN_KEY);
      closed(e.code === ACCESS_REFUSED ? e.reason || NO_TOKEN : undefined);
    };
  };

  // The printed URL pasted into a tab already on this page changes only the fragment: no new page load.
  window.addEventListener('hashchange', () => {
    if (!takeTokenFromUrl()) return;
    clearTimeout(retry);
    const old = ws;
    ws = null;
    old?.close();
    dropPending(lost());
    open();
  });
  document.addEventListener('visibilitychange', sendVisibility);
  takeTokenFromUrl();
  open();

  return {
    transport: {
      invoke(channel: Channel, input: unknown): Promise<Result<unknown>> {
        if (state.refused) return Promise.resolve(refusal(state.refused));
        const id = nextId++;
        return new Promise((resolve) => {
          pending.set(id, resolve);
          send({ type: 'invoke', id, channel, input });
        });
      },
      on(event: EventName, cb: (payload: unknown) => void): () => void {
        const set = listeners.get(event) ?? new Set();
        listeners.set(event, set);
        set.add(cb);
        return () => void set.delete(cb);
      },
    },
    connection: () => state,
    onConnection(cb) {
      connListeners.add(cb);
      return () => connListeners.delete(cb);
    },
  };
}
