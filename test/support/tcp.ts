// Small TCP helpers for tests: an echo / sink / source server and a client that
// collects everything it receives.
import net from 'node:net';
import { createHash } from 'node:crypto';

export interface TestServer {
  port: number;
  server: net.Server;
  close(): Promise<void>;
}

/** A TCP server on a free port of `host` (127.0.0.1 unless given) that hands each connection to `handler`. */
export function serve(handler: (s: net.Socket) => void, opts: net.ServerOpts = {}, host = '127.0.0.1'): Promise<TestServer> {
  return new Promise((resolve) => {
    const sockets = new Set<net.Socket>();
    const server = net.createServer({ allowHalfOpen: true, ...opts }, (s) => {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
      handler(s);
    });
    server.listen(0, host, () => {
      resolve({
        port: (server.address() as net.AddressInfo).port,
        server,
        close: () =>
          new Promise((r) => {
            sockets.forEach((s) => s.destroy());
            server.close(() => r());
          }),
      });
    });
  });
}

/** Echoes every byte back and ends when the peer ends; on 127.0.0.1 unless `host` is given (e.g. '::1'). */
export const echoServer = (host?: string) => serve((s) => s.pipe(s), {}, host);

export function sha256(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('hex');
}

/**
 * Connects to a TCP port (or a Unix socket path), writes `data`, half-closes,
 * and resolves with all bytes received until the peer ends.
 */
export function roundTrip(to: number | string, data: Buffer, host = '127.0.0.1'): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const sock = typeof to === 'string' ? net.connect({ path: to, allowHalfOpen: true }) : net.connect({ port: to, host, allowHalfOpen: true });
    sock.on('data', (d) => chunks.push(d));
    sock.on('end', () => {
      sock.end();
      resolve(Buffer.concat(chunks));
    });
    sock.on('error', reject);
    sock.on('connect', () => sock.end(data));
  });
}

/** 16 distinct 256 KiB chunks: enough variety that a reordered or lost chunk changes the hash. */
const SOURCE_CHUNK = 256 * 1024;
const SOURCE_CHUNKS = Array.from({ length: 16 }, (_, i) => Buffer.from(createHash('sha512').update(String(i)).digest('hex').repeat(2048)));

/**
 * A server that sends `total` bytes (a multiple of 256 KiB, honouring backpressure)
 * to each connection, then ends; `sha256` is the hash of those bytes.
 */
export async function sourceServer(total: number): Promise<TestServer & { sha256: string }> {
  const hash = createHash('sha256');
  for (let sent = 0; sent < total; sent += SOURCE_CHUNK) hash.update(SOURCE_CHUNKS[(sent / SOURCE_CHUNK) % 16]);
  const srv = await serve((sock) => {
    let sent = 0;
    const pump = () => {
      while (sent < total) {
        const b = SOURCE_CHUNKS[(sent / SOURCE_CHUNK) % 16];
        sent += SOURCE_CHUNK;
        if (!sock.write(b)) return;
      }
      sock.end();
    };
    sock.on('drain', pump);
    pump();
  });
  return { ...srv, sha256: hash.digest('hex') };
}
