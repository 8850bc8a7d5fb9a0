// Listeners reachable from beyond this machine (or, for -R, beyond the
// server's loopback), and what to say about them: one rule for the app's forms
// and for every command (connect, up, add, edit). Pure: no Node, no DOM.
import { isLoopback, isUnix, type Endpoint, type ForwardKind } from './forward-spec';

export interface Exposure {
  /** exposed: others can use the port; open-proxy: a SOCKS proxy anyone there can use, without a login. */
  level: 'exposed' | 'open-proxy';
  message: string;
}

/** True for a bind address that takes every address ('' as parsed from '*' or an empty bind, 0.0.0.0, ::). */
function everyAddress(host: string): boolean {
  return host === '' || host === '*' || host === '0.0.0.0' || host === '::';
}

/**
 * What a listener on `listen` exposes, or null when it stays on loopback (or is a
 * socket path). `listen` is as parsed: '' means every address.
 */
export function exposureOf(kind: ForwardKind, listen: Endpoint, opts: { socksLogin?: boolean } = {}): Exposure | null {
  if (isUnix(listen)) return null;
  const host = listen.host.trim();
  if (isLoopback(host)) return null;
  const where = everyAddress(host) ? `every address (${host === '' ? '*' : host})` : host.includes(':') ? `[${host}]` : host;
  if (kind === 'remote') {
    return {
      level: 'exposed',
      message: `Anyone who can reach the SSH server can use this port (it listens on ${where} there, where its GatewayPorts allows). Without a bind address it listens on the server's loopback only.`,
    };
  }
  if (kind === 'dynamic' && !opts.socksLogin) {
    return {
      level: 'open-proxy',
      message: `Open proxy: anyone on your network can use this SOCKS proxy (it listens on ${where}) without a login, and reach whatever the SSH server can reach, as you. Bind it to 127.0.0.1, or require a SOCKS login.`,
    };
  }
  return {
    level: 'exposed',
    message: `Anyone on your network can use this port (it listens on ${where}, not only on this computer). Use 127.0.0.1 unless that is what you want.`,
  };
}
