// How the load generator reaches a destination: straight through a forward's
// local port (-L), through the server's port (-R), or via SOCKS5 (-D).
import net from 'node:net';
import type { TargetName } from './targets';

export interface Route {
  /** Resolves with a socket whose bytes reach the named destination. */
  dial(target: TargetName): Promise<net.Socket>;
}

export function tcpConnect(port: number, host = '127.0.0.1', timeoutMs = 30_000): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ port, host });
    const timer = setTimeout(() => sock.destroy(new Error(`connect to ${host}:${port} timed out`)), timeoutMs);
    sock.once('connect', () => {
      clearTimeout(timer);
      sock.off('error', onError);
      // Errors after connecting are seen by whoever uses the socket; never crash on them.
      sock.on('error', () => undefined);
      sock.setNoDelay(true);
      resolve(sock);
    });
    const onError = (err: Error) => {
      clearTimeout(timer);
      sock.destroy();
      reject(err);
    };
    sock.once('error', onError);
  });
}

/** A forward per destination, each on its own port (-L, -R). */
export function portRoute(ports: Record<TargetName, number>): Route {
  return { dial: (target) => tcpConnect(ports[target]) };
}

function readExactly(sock: net.Socket, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const cleanup = () => {
      sock.off('data', onData);
      sock.off('error', onError);
      sock.off('close', onClose);
    };
    const onData = (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length < n) return;
      cleanup();
      if (buf.length > n) sock.unshift(buf.subarray(n));
      resolve(buf.subarray(0, n));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const onClose = () => {
      cleanup();
      reject(new Error('SOCKS proxy closed the connection'));
    };
    sock.on('data', onData);
    sock.once('error', onError);
    sock.once('close', onClose);
  });
}

/** SOCKS5 CONNECT (no authentication) to 127.0.0.1:port through the proxy. */
export async function socks5Connect(proxyPort: number, port: number): Promise<net.Socket> {
  const sock = await tcpConnect(proxyPort);
  try {
    sock.write(Buffer.from([5, 1, 0]));
    const hello = await readExactly(sock, 2);
    if (hello[0] !== 5 || hello[1] !== 0) throw new Error(`SOCKS method refused (${hello.toString('hex')})`);
    sock.write(Buffer.from([5, 1, 0, 1, 127, 0, 0, 1, port >> 8, port & 0xff]));
    const reply = await readExactly(sock, 10);
    if (reply[1] !== 0) throw new Error(`SOCKS connect failed (reply ${reply[1]})`);
    sock.pause();
    return sock;
  } catch (e) {
    sock.destroy();
    throw e;
  }
}

export function socksRoute(proxyPort: number, ports: Record<TargetName, number>): Route {
  return { dial: (target) => socks5Connect(proxyPort, ports[target]) };
}
