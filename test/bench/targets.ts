// The destinations behind every forward, on loopback:
// - echo: sends back whatever arrives (latency, concurrency, idle connections);
// - sink: reads an 8-byte length N, then N bytes, then answers one byte (upload);
// - source: reads an 8-byte length N, then sends N bytes (download);
// - reply: answers every message in two writes 2 ms apart, as a web server
//   writes headers then body (split-reply.ts).
import net from 'node:net';
import { MiB } from './stats';

export type TargetName = 'echo' | 'sink' | 'source' | 'reply';

export interface Targets {
  ports: Record<TargetName, number>;
  close(): Promise<void>;
}

/** The reply target's answer, in its two writes. */
export const SPLIT_REPLY = ['head', 'body'];

/** One shared block of bytes that every bulk sender writes from. */
export const BLOCK = Buffer.alloc(MiB, 0x5a);

/** Calls onHeader once the first 8 bytes (a length) have arrived; later bytes go to onRest. */
export function readLength(sock: net.Socket, onHeader: (n: number, rest: Buffer) => void): void {
  let head = Buffer.alloc(0);
  const onData = (d: Buffer) => {
    head = Buffer.concat([head, d]);
    if (head.length < 8) return;
    sock.off('data', onData);
    onHeader(Number(head.readBigUInt64BE(0)), head.subarray(8));
  };
  sock.on('data', onData);
}

/** Writes n bytes from BLOCK with backpressure. */
export function sendBytes(sock: net.Socket, n: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let left = n;
    const onError = (err: Error) => reject(err);
    sock.once('error', onError);
    const pump = () => {
      while (left > 0) {
        const chunk = left >= BLOCK.length ? BLOCK : BLOCK.subarray(0, left);
        left -= chunk.length;
        if (!sock.write(chunk)) {
          sock.once('drain', pump);
          return;
        }
      }
      sock.off('error', onError);
      resolve();
    };
    pump();
  });
}

interface Served {
  server: net.Server;
  port: number;
  sockets: Set<net.Socket>;
}

function serve(handler: (sock: net.Socket) => void): Promise<Served> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ noDelay: true }, (sock) => {
    sockets.add(sock);
    sock.once('close', () => sockets.delete(sock));
    sock.on('error', () => undefined);
    handler(sock);
  });
  server.on('error', () => undefined);
  return new Promise((resolve) => {
    server.listen({ host: '127.0.0.1', port: 0, backlog: 4096 }, () => {
      resolve({ server, port: (server.address() as net.AddressInfo).port, sockets });
    });
  });
}

export async function startTargets(): Promise<Targets> {
  const echo = await serve((sock) => sock.on('data', (d) => sock.write(d)));
  const sink = await serve((sock) =>
    readLength(sock, (n, rest) => {
      let got = rest.length;
      const check = () => {
        if (got >= n) {
          sock.removeAllListeners('data');
          sock.write('k');
        }
      };
      sock.on('data', (d: Buffer) => {
        got += d.length;
        check();
      });
      check();
    }),
  );
  const source = await serve((sock) => readLength(sock, (n) => void sendBytes(sock, n).catch(() => undefined)));
  const reply = await serve((sock) =>
    sock.on('data', () => {
      sock.write(SPLIT_REPLY[0]);
      setTimeout(() => sock.write(SPLIT_REPLY[1]), 2);
    }),
  );
  const all = [echo, sink, source, reply];
  return {
    ports: { echo: echo.port, sink: sink.port, source: source.port, reply: reply.port },
    close: async () => {
      await Promise.all(
        all.map(
          ({ server, sockets }) =>
            new Promise<void>((resolve) => {
              server.close(() => resolve());
              for (const s of sockets) s.destroy();
            }),
        ),
      );
    },
  };
}
