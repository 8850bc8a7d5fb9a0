// A TCP proxy on 127.0.0.1 that delays every byte by a fixed time each way, as a
// long link does (this machine's kernel has no netem). It never pushes back: it
// reads as fast as bytes come and holds them until they are due, so that the
// SSH window, not the proxy, limits a stream. Optionally paced to a bandwidth.
// Used by the keepalive and window tests and by the benchmark's long-link section.
import net from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Sshd } from './sshd';

export interface DelayProxyOptions {
  /** Where every accepted connection goes. */
  target: { host: string; port: number };
  /** Round trip added, in ms: half of it each way. */
  rttMs: number;
  /** Bytes per second each way (serialisation delay on top of rttMs/2); unlimited when absent. */
  bytesPerSecond?: number;
}

export interface DirectionStats {
  /** Data chunks read from the sender (one per 'data' event). */
  chunks: number;
  bytes: number;
  /** Bytes held now (sent, not yet delivered). */
  held: number;
  /** Most bytes held at once (sent, not yet delivered): a lower bound of the window in flight. */
  maxHeld: number;
}

export interface ProxiedConnection {
  /** client -> server and server -> client. */
  up: DirectionStats;
  down: DirectionStats;
  /** Chunks the client sent since the server last sent anything: e.g. keepalives a frozen server left unanswered. */
  upSinceDown: number;
  closed: Promise<void>;
}

export interface DelayProxy {
  port: number;
  connections: ProxiedConnection[];
  close(): Promise<void>;
}

interface Held {
  due: number;
  data: Buffer | null; // null: the sender ended
}

/** One direction: a FIFO of chunks, each delivered at its due time. */
function delayLane(from: net.Socket, to: net.Socket, oneWayMs: number, bytesPerSecond: number | undefined, stats: DirectionStats) {
  const queue: Held[] = [];
  let timer: NodeJS.Timeout | undefined;
  let lastDeparture = 0;
  const flush = () => {
    timer = undefined;
    const now = performance.now();
    while (queue.length && queue[0].due <= now + 1) {
      const { data } = queue.shift()!;
      if (data === null) to.end();
      else {
        stats.held -= data.length;
        if (!to.destroyed) to.write(data);
      }
    }
    if (queue.length) timer = setTimeout(flush, queue[0].due - now);
  };
  const push = (data: Buffer | null) => {
    const now = performance.now();
    const departure = bytesPerSecond && data ? Math.max(now, lastDeparture) + (data.length / bytesPerSecond) * 1000 : now;
    lastDeparture = departure;
    // Nothing to wait for (no delay, no pacing): straight through, without a timer hop.
    if (queue.length === 0 && departure + oneWayMs <= now) {
      if (data === null) to.end();
      else if (!to.destroyed) to.write(data);
      stats.held -= data?.length ?? 0;
      return;
    }
    queue.push({ due: departure + oneWayMs, data });
    if (!timer) timer = setTimeout(flush, queue[0].due - now);
  };
  from.on('data', (d: Buffer) => {
    stats.chunks++;
    stats.bytes += d.length;
    stats.held += d.length;
    stats.maxHeld = Math.max(stats.maxHeld, stats.held);
    push(d);
  });
  from.on('end', () => push(null));
  return () => clearTimeout(timer);
}

export function startDelayProxy(opts: DelayProxyOptions): Promise<DelayProxy> {
  const oneWay = opts.rttMs / 2;
  const sockets = new Set<net.Socket>();
  const connections: ProxiedConnection[] = [];
  const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (client) => {
    const upstream = net.connect({ ...opts.target, allowHalfOpen: true, noDelay: true });
    const conn: ProxiedConnection = {
      up: { chunks: 0, bytes: 0, held: 0, maxHeld: 0 },
      down: { chunks: 0, bytes: 0, held: 0, maxHeld: 0 },
      upSinceDown: 0,
      closed: Promise.resolve(),
    };
    connections.push(conn);
    client.on('data', () => conn.upSinceDown++);
    upstream.on('data', () => (conn.upSinceDown = 0));
    const stops = [delayLane(client, upstream, oneWay, opts.bytesPerSecond, conn.up), delayLane(upstream, client, oneWay, opts.bytesPerSecond, conn.down)];
    conn.closed = new Promise((resolve) => {
      let open = 2;
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('error', () => undefined);
        let ended = false;
        s.on('end', () => (ended = true));
        s.on('close', () => {
          sockets.delete(s);
          // A reset (a close without an end) reaches the other side after the delay, as on a link; an end travels in its lane.
          if (!ended) setTimeout(() => (s === client ? upstream : client).destroy(), oneWay);
          if (--open === 0) {
            stops.forEach((stop) => stop());
            resolve();
          }
        });
      }
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as net.AddressInfo).port,
        connections,
        close: () =>
          new Promise((r) => {
            sockets.forEach((s) => s.destroy());
            server.close(() => r());
          }),
      }),
    );
  });
}

/** A known_hosts file (in the sshd's directory) that trusts `s`'s host key at the proxy's port. */
export function knownHostsVia(s: Sshd, proxyPort: number): string {
  const file = join(s.dir, `known_hosts_via_${proxyPort}`);
  writeFileSync(file, `[127.0.0.1]:${proxyPort} ${s.hostPublicKey}\n`);
  return file;
}
