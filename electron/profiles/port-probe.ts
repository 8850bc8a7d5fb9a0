// Is a local TCP port free? Tries to listen on it (the only answer the OS gives reliably).
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import { BurrowError } from '../../shared/errors';
import { bindError, isWildcard, probePort } from '../tunnels/listener';

export async function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return (await probePort(port, host)) === null;
}

/** How many ports after a busy one are tried for a suggestion: enough to find one, few enough to answer at once. */
export const SUGGESTION_SEARCH = 200;

/**
 * The address to probe for a forward's bind address: '' for every address,
 * 127.0.0.1 for localhost, else the address itself, or what the name resolves
 * to (looked up once here, never once per port).
 */
async function probeHost(bindAddress: string): Promise<string> {
  if (isWildcard(bindAddress)) return '';
  if (bindAddress.toLowerCase() === 'localhost') return '127.0.0.1';
  const literal = bindAddress.replace(/^\[(.*)\]$/, '$1');
  if (net.isIP(literal)) return literal;
  try {
    return (await lookup(bindAddress)).address;
  } catch (e) {
    throw new BurrowError(
      'BIND_FAILED',
      `Cannot listen on ${bindAddress}: the name cannot be resolved (${(e as NodeJS.ErrnoException).code ?? 'no address'}). Use 127.0.0.1, or an address this computer has.`,
    );
  }
}

/**
 * Whether a local port is free on a forward's bind address (default
 * 127.0.0.1) and, when it is not, the next free port that no saved forward
 * uses (`taken`), among the next SUGGESTION_SEARCH. A bind address this
 * computer does not have, or a name that does not resolve, is BIND_FAILED.
 */
export async function checkLocalPort(
  port: number,
  bindAddress: string | undefined,
  taken: ReadonlySet<number>,
): Promise<{ port: number; free: boolean; suggestion?: number }> {
  const host = await probeHost(bindAddress ?? '127.0.0.1');
  const err = await probePort(port, host);
  if (!err) return { port, free: true };
  if (err.code !== 'EADDRINUSE' && err.code !== 'EACCES') throw bindError(err, { host: bindAddress ?? host, port });
  // A port that needs root: suggest from 1024 up.
  const from = err.code === 'EACCES' ? Math.max(port + 1, 1024) : port + 1;
  for (let p = from; p < from + SUGGESTION_SEARCH && p <= 65535; p++) {
    if (!taken.has(p) && (await probePort(p, host)) === null) return { port, free: false, suggestion: p };
  }
  return { port, free: false };
}
