// The browser mode's transport: requests and events over one WebSocket
// (electron/web/protocol.ts describes the same messages on the server side).
// api.ts builds the very same API object on it as the preload does over IPC.
// Reconnects on its own; a reconnect counts as "profiles changed", so the
// window reloads its state.
import type { Channel, EventName, Failure, Result } from '../../shared/contract';
import type { ApiTransport } from '../../shared/burrow-api';
import type { ClientMessage, ServerMessage } from '../../shared/ws-protocol';

export type ConnectionState = { status: 'connecting' | 'open' | 'closed'; attempts: number };

export interface WebSocketConnection {
  transport: ApiTransport;
  connection(): ConnectionState;
  onConnection(cb: () => void): () => void;
}

const lost = (): Failure => ({ ok: false, code: 'INTERNAL', message: 'The connection to `burrow web` was lost. It reconnects by itself; if it does not, check that `burrow web` is still running.' });

export function createWebSocketTransport(url: string): WebSocketConnection {
  let ws: WebSocket | null = null;
  let nextId = 1;
  let state: ConnectionState = { status: 'connecting', attempts: 0 };
  let everOpened = false;
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

  const open = () => {
    setState({ status: 'connecting', attempts: state.attempts });
    const sock = new WebSocket(url);
    ws = sock;
    sock.onopen = () => {
      const reconnected = everOpened;
      everOpened = true;
      setState({ status: 'open', attempts: 0 });
      if (document.visibilityState !== 'visible') sendVisibility();
      outbox.splice(0).forEach((m) => sock.send(m));
      if (reconnected) dispatchEvent('profiles', { source: 'external' });
    };
    sock.onmessage = (e) => {
      let m: ServerMessage;
      try {
        m = JSON.parse(String(e.data)) as ServerMessage;
      } catch {
        return;
      }
      if (m.type === 'result') {
        pending.get(m.id)?.(m.result);
        pending.delete(m.id);
      } else dispatchEvent(m.event, m.payload);
    };
    sock.onclose = () => {
      ws = null;
      for (const [id, resolve] of pending) {
        resolve(lost());
        pending.delete(id);
      }
      outbox.length = 0;
      const attempts = state.attempts + 1;
      setState({ status: 'closed', attempts });
      setTimeout(open, Math.min(10_000, 250 * 2 ** Math.min(attempts, 6)));
    };
  };
  document.addEventListener('visibilitychange', sendVisibility);
  open();

  return {
    transport: {
      invoke(channel: Channel, input: unknown): Promise<Result<unknown>> {
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
