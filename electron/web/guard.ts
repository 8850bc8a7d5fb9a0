// Who may talk to `burrow web`. The server binds 127.0.0.1 only, and still:
//  - every request must name this server in its Host header (127.0.0.1:PORT or
//    localhost:PORT), which defeats DNS rebinding (a page on evil.example whose
//    name now resolves to 127.0.0.1 sends Host: evil.example:PORT);
//  - a request that carries an Origin must come from this server's own origin,
//    and the WebSocket must carry one, which defeats cross-site pages (CSRF,
//    cross-site WebSocket hijacking);
//  - everything needs the random access token: once as ?token= in the printed
//    URL, which sets an HttpOnly SameSite=Strict cookie and redirects to a clean
//    URL; after that the cookie (sent by the browser on the WebSocket upgrade too).
import { randomBytes, timingSafeEqual } from 'node:crypto';

export const newToken = (): string => randomBytes(24).toString('base64url');

/** The cookie is named after the port: cookies are shared between ports of one host. */
export const cookieName = (port: number): string => `burrow-token-${port}`;

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

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function tokenCookie(port: number, token: string): string {
  return `${cookieName(port)}=${token}; Path=/; HttpOnly; SameSite=Strict`;
}

export interface RequestFacts {
  method: string;
  /** Path and query, as in the request line. */
  url: string;
  host?: string;
  origin?: string;
  cookie?: string;
  /** True for a WebSocket upgrade. */
  upgrade?: boolean;
}

export type Decision =
  | { allow: true; setCookie?: string; redirectTo?: string }
  | { allow: false; status: 400 | 401 | 403 | 405; reason: string };

/** The whole access decision for one HTTP request or WebSocket upgrade. */
export function decide(req: RequestFacts, port: number, token: string): Decision {
  if (!hostAllowed(req.host, port)) return { allow: false, status: 403, reason: `Host '${req.host ?? ''}' is not this server; open http://127.0.0.1:${port}/.` };
  if (req.upgrade ? !originAllowed(req.origin, port) : req.origin !== undefined && !originAllowed(req.origin, port)) {
    return { allow: false, status: 403, reason: `Requests from origin '${req.origin ?? '(none)'}' are not accepted.` };
  }
  if (!req.upgrade && req.method !== 'GET' && req.method !== 'HEAD') return { allow: false, status: 405, reason: 'Only GET is served.' };
  let url: URL;
  try {
    url = new URL(req.url, `http://127.0.0.1:${port}`);
  } catch {
    return { allow: false, status: 400, reason: 'Bad request URL.' };
  }
  if (tokenMatches(readCookie(req.cookie, cookieName(port)), token)) return { allow: true };
  const queryToken = url.searchParams.get('token');
  if (!req.upgrade && tokenMatches(queryToken, token)) {
    url.searchParams.delete('token');
    return { allow: true, setCookie: tokenCookie(port, token), redirectTo: url.pathname + url.search };
  }
  return {
    allow: false,
    status: 401,
    reason: queryToken ? 'The access token is wrong. Open the URL that `burrow web` printed.' : 'An access token is needed. Open the URL that `burrow web` printed (it ends in ?token=...).',
  };
}
