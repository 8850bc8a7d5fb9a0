// The load generator: bulk transfers, one-byte round trips, many connections at once.
import type net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Route } from './routes';
import { sendBytes } from './targets';

function lengthHeader(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string, onTimeout: () => void): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        onTimeout();
        reject(new Error(`${what} timed out after ${ms} ms`));
      }, ms);
    }),
  ]);
}

/** Client -> server: seconds to push `bytes` through and hear the sink's acknowledgement. */
export async function upload(route: Route, bytes: number, timeoutMs: number): Promise<number> {
  const sock = await route.dial('sink');
  const t0 = performance.now();
  const acked = new Promise<void>((resolve, reject) => {
    sock.once('data', () => resolve());
    sock.once('error', reject);
    sock.once('close', () => reject(new Error('upload: connection closed before the acknowledgement')));
  });
  sock.resume();
  sock.write(lengthHeader(bytes));
  try {
    await withTimeout(Promise.all([sendBytes(sock, bytes), acked]), timeoutMs, 'upload', () => sock.destroy());
    return (performance.now() - t0) / 1000;
  } finally {
    sock.destroy();
  }
}

/** Server -> client: seconds to receive `bytes` from the source. */
export async function download(route: Route, bytes: number, timeoutMs: number): Promise<number> {
  const sock = await route.dial('source');
  const t0 = performance.now();
  const done = new Promise<void>((resolve, reject) => {
    let got = 0;
    sock.on('data', (d: Buffer) => {
      got += d.length;
      if (got >= bytes) resolve();
    });
    sock.once('error', reject);
    sock.once('close', () => reject(new Error(`download: connection closed after ${got} of ${bytes} bytes`)));
  });
  sock.resume();
  sock.write(lengthHeader(bytes));
  try {
    await withTimeout(done, timeoutMs, 'download', () => sock.destroy());
    return (performance.now() - t0) / 1000;
  } finally {
    sock.destroy();
  }
}

/** Connect, one byte there and back; resolves with the socket still open. */
async function roundTrip(route: Route, timeoutMs: number): Promise<{ ms: number; sock: net.Socket }> {
  const t0 = performance.now();
  let sock: net.Socket | undefined;
  const work = (async () => {
    sock = await route.dial('echo');
    const s = sock;
    await new Promise<void>((resolve, reject) => {
      s.once('data', () => resolve());
      s.once('error', reject);
      s.once('close', () => reject(new Error('closed before the echo')));
      s.resume();
      s.write('x');
    });
    return { ms: performance.now() - t0, sock: s };
  })();
  return withTimeout(work, timeoutMs, 'round trip', () => sock?.destroy());
}

/** New-connection latency: `count` connections one after another (ms each). */
export async function latency(route: Route, count: number, timeoutMs = 10_000): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const { ms, sock } = await roundTrip(route, timeoutMs);
    sock.destroy();
    out.push(ms);
  }
  return out;
}

export interface ConcurrentResult {
  failures: number;
  firstError?: string;
  times: number[];
  wallMs: number;
}

/** `n` connections started at once, each a one-byte round trip. */
export async function concurrent(route: Route, n: number, timeoutMs: number): Promise<ConcurrentResult> {
  const t0 = performance.now();
  const results = await Promise.allSettled(Array.from({ length: n }, () => roundTrip(route, timeoutMs)));
  const wallMs = performance.now() - t0;
  const times: number[] = [];
  let failures = 0;
  let firstError: string | undefined;
  for (const r of results) {
    if (r.status === 'fulfilled') {
      times.push(r.value.ms);
      r.value.sock.destroy();
    } else {
      failures++;
      firstError ??= (r.reason as Error).message;
    }
  }
  return { failures, firstError, times, wallMs };
}

/** Opens `n` connections and keeps them open (each has done one round trip). */
export async function holdOpen(route: Route, n: number, timeoutMs = 30_000): Promise<net.Socket[]> {
  const socks: net.Socket[] = [];
  for (let i = 0; i < n; i += 50) {
    const batch = await Promise.all(Array.from({ length: Math.min(50, n - i) }, () => roundTrip(route, timeoutMs)));
    socks.push(...batch.map((b) => b.sock));
  }
  return socks;
}
