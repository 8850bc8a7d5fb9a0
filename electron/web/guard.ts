// Who may talk to `burrow web`. The server binds 127.0.0.1 only, and still:
//  - every request must name this server in its Host header (127.0.0.1:PORT or
//    localhost:PORT), which defeats DNS rebinding (a page on evil.example whose
//    name now resolves to 127.0.0.1 sends Host: evil.example:PORT);
//  - a request that carries an Origin must come from this server's own origin,
//    and the WebSocket must carry one, which defeats cross-site pages (CSRF,
//    cross-site WebSocket hijacking);
//  - the page (index.html and its assets) is public: it holds no data. All data
//    and every action go over the WebSocket, whose first message must carry the
//    random access token. The printed URL has the token in its fragment
//    (#token=...), which browsers never send to a server; the page keeps it in
//    its tab's sessionStorage (readable by this origin only) and sends it on its
//    own WebSocket only. No cookie: cookies are not isolated by port, so every
//    other server on 127.0.0.1 or localhost would receive it.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { ClientMessage } from '../../shared/ws-protocol';

export const newToken = (): string => randomBytes(24).toString('base64url');

export function allowedHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

export function hostAllowed(host: string | undefined, port: number): boolean {
  return host !== undefined && allowedHosts(port).includes(host.toLowerCase());
}

export function originAllowed(origin: string | undefined, port: number): boolean {
  return origin !== undefined && allowedHosts(port).some((h) => origin.toLowerCase() === `http://${h}`);
}

export function tokenMatches(given: string | undefined | null, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface RequestFacts {
  method: string;
  host?: string;
  origin?: string;
  /** True for a WebSocket upgrade. */
  upgrade?: boolean;
}

export type Decision = { allow: true } | { allow: false; status: 403 | 405; reason: string };

/** Whether an HTTP request or WebSocket upgrade may be served at all (the token is checked on the WebSocket's first message). */
export function decide(req: RequestFacts, port: number): Decision {
  if (!hostAllowed(req.host, port))
    return { allow: false, status: 403, reason: `Host '${req.host ?? ''}' is not this server; open http://127.0.0.1:${port}/.` };
  if (req.upgrade ? !originAllowed(req.origin, port) : req.origin !== undefined && !originAllowed(req.origin, port)) {
    return { allow: false, status: 403, reason: `Requests from origin '${req.origin ?? '(none)'}' are not accepted.` };
  }
  if (!req.upgrade && req.method !== 'GET' && req.method !== 'HEAD') return { allow: false, status: 405, reason: 'Only GET is served.' };
  return { allow: true };
}

const OPEN_PRINTED_URL = 'open the URL that burrow web printed (it ends in #token=...).';

/** Why the WebSocket's first message does not let the client in, or null when it does. Short: it travels as a close reason (at most 123 bytes). */
export function signInProblem(first: ClientMessage, token: string): string | null {
  if (first.type !== 'hello') return `Send the access token first: ${OPEN_PRINTED_URL}`;
  if (!tokenMatches(first.token, token)) return `The access token is wrong: ${OPEN_PRINTED_URL}`;
  return null;
}

/** For a client that never says hello. */
export const NO_SIGN_IN = `No access token was sent: ${OPEN_PRINTED_URL}`;
