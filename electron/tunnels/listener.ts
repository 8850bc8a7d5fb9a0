// Binding local listeners (TCP or Unix socket), with refusals a person can act on.
// As OpenSSH does, "localhost" means both loopback addresses (127.0.0.1 and ::1)
// and "*" or an empty bind address means every address of both families.
import net from 'node:net';
import { BurrowError } from '../../shared/errors';
import { formatEndpoint, isUnix, type Endpoint } from '../../shared/forward-spec';
import { findPortOwner } from './port-owner';
import { unprivilegedPort } from '../../shared/presets';

/** A bind address that means every address (-L *:port, -L :port, -g). */
export function isWildcard(host: string): boolean {
  return host === '' || host === '*';
}

/** A bind that failed, said without naming flags: each front end adds its own example (the CLI's reporter, the app's fixes). */
export function bindError(err: NodeJS.ErrnoException, bindAt: Endpoint): BurrowError {
  const at = isUnix(bindAt) || !isWildcard(bindAt.host) ? bindAt : { ...bindAt, host: '*' };
  const where = formatEndpoint(at);
  if (err.code === 'EADDRINUSE') {
    if (isUnix(at)) return new BurrowError('PORT_IN_USE', `The socket path ${at.path} already exists. Remove it or choose another path.`);
    const owner = findPortOwner(at.port);
    const by = owner ? ` by ${owner.command} (pid ${owner.pid})` : '';
    return new BurrowError(
      'PORT_IN_USE',
      `Local port ${at.port} is already in use${by}: cannot listen on ${where}. Choose another port, or stop the program using it.`,
    );
  }
  if (err.code === 'EACCES' && !isUnix(at)) {
    if (at.port < 1024) {
      return new BurrowError(
        'PORT_PRIVILEGED',
        `Binding local port ${at.port} needs root or administrator rights. Use a port of 1024 or above instead (such as ${unprivilegedPort(at.port)} for ${at.port}).`,
      );
    }
    return new BurrowError('BIND_FAILED', `Not allowed to listen on ${where}: ${err.message}.`);
  }
  if (err.code === 'EADDRNOTAVAIL') {
    return new BurrowError(
      'BIND_FAILED',
      `Cannot listen on ${where}: ${at && !isUnix(at) ? at.host : ''} is not an address of this machine. Use 127.0.0.1, or an address this machine has.`,
    );
  }
  return new BurrowError('BIND_FAILED', `Cannot listen on ${where}: ${err.message}.`);
}

// This process's own port probes (the window's port check, preset suggestions) hold
// their port for a moment; a forward started meanwhile on that port would find it
// "in use", by us. listen() waits for them.
const probes = new Map<number, Promise<void>>();

/** Listens on host:port once and closes again: null when that worked, else why not (EADDRINUSE, EADDRNOTAVAIL, EACCES...). */
export function probePort(port: number, host: string): Promise<NodeJS.ErrnoException | null> {
  const result = new Promise<NodeJS.ErrnoException | null>((resolve) => {
    const srv = net.createServer();
    srv.once('error', (err: NodeJS.ErrnoException) => resolve(err));
    // No host: every address of both families, as a forward with bind address * listens.
    srv.listen({ port, ...(host === '' ? {} : { host }), exclusive: true }, () => srv.close(() => resolve(null)));
  });
  const before = probes.get(port);
  const settled = Promise.all([before, result]).then(() => undefined);
  probes.set(port, settled);
  void settled.then(() => {
    if (probes.get(port) === settled) probes.delete(port);
  });
  return result;
}

function bind(server: net.Server, options: net.ListenOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => reject(err);
    server.once('error', onError);
    server.listen(options, () => {
      server.off('error', onError);
      const addr = server.address();
      resolve(addr && typeof addr === 'object' ? addr.port : 0);
    });
  });
}

/**
 * A second listening socket for the same server (::1 next to 127.0.0.1): its
 * connections go to the server's own connection handler, it stops listening when
 * the server closes, and its later errors are the server's. Best effort, as in
 * OpenSSH: without IPv6, or with [::1]:port taken by someone else, the forward
 * still listens on 127.0.0.1.
 */
async function addCompanion(server: net.Server, host: string, port: number): Promise<void> {
  const opts = server as unknown as { allowHalfOpen: boolean; pauseOnConnect: boolean; noDelay: boolean };
  const companion = net.createServer({ allowHalfOpen: opts.allowHalfOpen, pauseOnConnect: opts.pauseOnConnect, noDelay: opts.noDelay });
  try {
    await bind(companion, { host, port, exclusive: true, ipv6Only: true });
  } catch {
    return;
  }
  companion.on('connection', (sock) => server.emit('connection', sock));
  companion.on('error', (err) => server.emit('error', err));
  server.once('close', () => companion.close());
}

/** Binds a server (created with allowHalfOpen), resolving once it listens with where it listens. */
export async function listen(server: net.Server, at: Endpoint): Promise<Endpoint> {
  try {
    if (isUnix(at)) {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(at.path, () => {
          server.off('error', reject);
          resolve();
        });
      });
      return at;
    }
    // Checked again after each wait, and bound with no await in between: a probe may start meanwhile.
    for (let probe = probes.get(at.port); probe; probe = probes.get(at.port)) await probe;
    if (isWildcard(at.host)) {
      // Without a host Node listens on :: with IPV6_V6ONLY off, which takes IPv4
      // connections too (or on 0.0.0.0 where there is no IPv6): every address of both families.
      return { host: '*', port: await bind(server, { port: at.port, exclusive: true }) };
    }
    if (at.host.toLowerCase() === 'localhost') {
      // Both loopback addresses, whatever the resolver says localhost is.
      const port = await bind(server, { host: '127.0.0.1', port: at.port, exclusive: true });
      await addCompanion(server, '::1', port);
      return { host: at.host, port };
    }
    return { host: at.host, port: await bind(server, { host: at.host, port: at.port, exclusive: true }) };
  } catch (e) {
    throw bindError(e as NodeJS.ErrnoException, at);
  }
}
