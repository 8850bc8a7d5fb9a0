// Binding local listeners (TCP or Unix socket), with refusals a person can act on.
import net from 'node:net';
import { BurrowError } from '../../shared/errors';
import { formatEndpoint, isUnix, type Endpoint } from '../../shared/forward-spec';
import { findPortOwner } from './port-owner';

export function bindError(err: NodeJS.ErrnoException, at: Endpoint, flag: string): BurrowError {
  const where = formatEndpoint(at);
  if (err.code === 'EADDRINUSE') {
    if (isUnix(at)) return new BurrowError('PORT_IN_USE', `The socket path ${at.path} already exists. Remove it or choose another path.`);
    const owner = findPortOwner(at.port);
    const by = owner ? ` by ${owner.command} (pid ${owner.pid})` : '';
    return new BurrowError(
      'PORT_IN_USE',
      `Local port ${at.port} is already in use${by} on ${at.host}. Choose another port (for example ${flag} ${at.port + 1}:...) or stop the program using it.`,
    );
  }
  if (err.code === 'EACCES' && !isUnix(at)) {
    if (at.port < 1024) {
      return new BurrowError(
        'PORT_PRIVILEGED',
        `Binding local port ${at.port} needs root or administrator rights. Use a port above 1024 instead (1100 stands in for 110, as in ${flag} 1100:mail.example.com:110).`,
      );
    }
    return new BurrowError('BIND_FAILED', `Not allowed to listen on ${where}: ${err.message}.`);
  }
  if (err.code === 'EADDRNOTAVAIL') {
    return new BurrowError('BIND_FAILED', `Cannot listen on ${where}: ${at && !isUnix(at) ? at.host : ''} is not an address of this machine. Use 127.0.0.1, or an address this machine has.`);
  }
  return new BurrowError('BIND_FAILED', `Cannot listen on ${where}: ${err.message}.`);
}

/** Binds a server with allowHalfOpen, resolving once it listens. */
export function listen(server: net.Server, at: Endpoint, flag: string): Promise<Endpoint> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => reject(bindError(err, at, flag));
    server.once('error', onError);
    const done = () => {
      server.off('error', onError);
      const addr = server.address();
      resolve(addr && typeof addr === 'object' ? { host: isUnix(at) ? '' : at.host, port: addr.port } : at);
    };
    if (isUnix(at)) server.listen(at.path, done);
    else server.listen({ host: at.host, port: at.port, exclusive: true }, done);
  });
}
