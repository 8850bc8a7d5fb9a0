// `burrow web`: the built renderer over HTTP and the one dispatcher over a
// WebSocket, on 127.0.0.1 only, behind the access checks in guard.ts.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { resolveAppRequest } from '../serve/app-protocol';
import { APP_ORIGIN, securityHeaders } from '../serve/security';
import type { EventName, Events } from '../../shared/contract';
import type { Dispatcher } from '../api/dispatcher';
import type { EventHub } from '../api/events';
import { NO_SIGN_IN, decide, newToken, signInProblem, type RequestFacts } from './guard';
import { ACCESS_REFUSED, MAX_MESSAGE_BYTES, parseClientMessage, type ServerMessage } from './protocol';

export interface WebServerOptions {
  dispatcher: Dispatcher;
  hub: EventHub;
  /** Incremented and decremented as visible pages come and go (stats ticks). */
  viewers: { count: number };
  /** The built renderer folder. */
  rootDir: string;
  /** 0 picks a free port. */
  port?: number;
  token?: string;
  /** A WebSocket that has not sent the token by then is closed (default 10 s). */
  signInTimeoutMs?: number;
}

export interface WebServer {
  port: number;
  token: string;
  /** http://127.0.0.1:PORT/#token=... (the fragment never leaves the browser) */
  url: string;
  close(): Promise<void>;
}

/** Stats are dropped (not queued) for a client this far behind. */
const SLOW_CLIENT_BYTES = 4 * 1024 * 1024;
/**
 * A client with this much sent to it and still unread is cut off instead of
 * being sent more: it does not read (a stuck or hostile page), and everything
 * queued for it is held in memory. Well above the largest answer the window
 * asks for (an import of up to 5 MB of text), so one big answer never trips it.
 */
export const MAX_UNREAD_BYTES = 32 * 1024 * 1024;

const facts = (req: http.IncomingMessage, upgrade: boolean): RequestFacts => ({
  method: req.method ?? 'GET',
  host: req.headers.host,
  origin: req.headers.origin,
  upgrade,
});

function refuse(res: http.ServerResponse, status: number, reason: string) {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
  res.end(reason + '\n');
}

async function serveFile(req: http.IncomingMessage, res: http.ServerResponse, rootDir: string) {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  const r = resolveAppRequest(`${APP_ORIGIN}${path}`, rootDir);
  if (r.status !== 200) return refuse(res, r.status, r.reason);
  const info = await stat(r.file).catch(() => null);
  if (!info?.isFile()) return refuse(res, 404, 'Not found.');
  res.writeHead(200, {
    ...securityHeaders(),
    'Content-Type': r.mime,
    'Content-Length': info.size,
    // Built assets carry a content hash; index.html must always be fresh.
    'Cache-Control': path.startsWith('/assets/') ? 'max-age=31536000, immutable' : 'no-store',
  });
  if (req.method === 'HEAD') return res.end();
  createReadStream(r.file)
    .on('error', () => res.destroy())
    .pipe(res);
}

function attachClient(ws: WebSocket, opts: WebServerOptions, token: string) {
  let unsubscribe: (() => void) | null = null;
  let visible = true;
  const send = (m: ServerMessage) => {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > MAX_UNREAD_BYTES) return ws.terminate();
    ws.send(JSON.stringify(m));
  };
  const signIn = () => {
    opts.viewers.count++;
    unsubscribe = opts.hub.subscribe(<E extends EventName>(event: E, payload: Events[E]) => {
      if (event === 'stats' && (!visible || ws.bufferedAmount > SLOW_CLIENT_BYTES)) return;
      send({ type: 'event', event, payload } as ServerMessage);
    });
    send({ type: 'ready' });
  };
  const timer = setTimeout(() => ws.close(ACCESS_REFUSED, NO_SIGN_IN), opts.signInTimeoutMs ?? 10_000);
  ws.on('message', async (data, isBinary) => {
    if (ws.readyState !== ws.OPEN) return;
    const msg = isBinary ? null : parseClientMessage(data.toString());
    if (!msg) return ws.close(1003, 'Messages must be JSON { type: hello | invoke | visibility }.');
    if (!unsubscribe) {
      const problem = signInProblem(msg, token);
      if (problem) return ws.close(ACCESS_REFUSED, problem);
      clearTimeout(timer);
      return signIn();
    }
    if (msg.type === 'hello') return;
    if (msg.type === 'visibility') {
      if (msg.visible !== visible) opts.viewers.count += msg.visible ? 1 : -1;
      visible = msg.visible;
      return;
    }
    const result = await opts.dispatcher.dispatch(msg.channel, msg.input);
    send({ type: 'result', id: msg.id, result });
  });
  ws.on('error', () => undefined);
  ws.on('close', () => {
    clearTimeout(timer);
    if (!unsubscribe) return;
    unsubscribe();
    if (visible) opts.viewers.count--;
  });
}

export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const token = opts.token ?? newToken();
  let port = opts.port ?? 0;
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  wss.on('connection', (ws) => attachClient(ws, opts, token));

  const server = http.createServer((req, res) => {
    const d = decide(facts(req, false), port);
    if (!d.allow) return refuse(res, d.status, d.reason);
    serveFile(req, res, opts.rootDir).catch(() => res.destroy());
  });
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => undefined);
    const d = decide(facts(req, true), port);
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (!d.allow || path !== '/ws') {
      const status = d.allow ? 404 : d.status;
      socket.end(
        `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${d.allow ? 'Not found.' : d.reason}\n`,
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });
  server.on('clientError', (_err, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  return {
    port,
    token,
    url: `http://127.0.0.1:${port}/#token=${token}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
