// ssh2's receive window grows while the window, not the reader, limits a download
// (patches/ssh2+1.17.0.patch, applied by patch-package at install), and memory stays
// bounded when the local reader is slow. Real sshd behind a delay proxy that never
// pushes back: the bytes it holds at once are the bytes in flight, i.e. the window.
import { afterEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import net from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TunnelEngine } from '../../../electron/tunnels/engine';
import { cleanup, startSshd } from '../../support/sshd';
import { hostFor } from '../../support/hosts';
import { sourceServer } from '../../support/tcp';
import { knownHostsVia, startDelayProxy, type DelayProxy } from '../../support/delay-proxy';
import { boundPort } from '../../support/engine-state';
import { liveArrayBuffers } from '../../support/memory';

const MiB = 1024 * 1024;
const undo: Array<() => unknown> = [];
afterEach(async () => {
  for (const u of undo.splice(0).reverse()) await u();
});

/** Engine -> proxy (rttMs) -> sshd, and a -L forward to `target` (on a TCP port, or on the socket path `listenPath`); resolves with the local port. */
async function tunnel(rttMs: number, target: number, listenPath?: string) {
  const s = await startSshd();
  undo.push(() => cleanup(s));
  const proxy: DelayProxy = await startDelayProxy({ target: { host: '127.0.0.1', port: s.port }, rttMs });
  undo.push(() => proxy.close());
  const knownHosts = knownHostsVia(s, proxy.port);
  const e = new TunnelEngine();
  undo.push(() => e.shutdown());
  e.add('dl', hostFor(s, { port: proxy.port, knownHostsFiles: [knownHosts] }), {
    kind: 'local',
    listen: listenPath ? { path: listenPath } : { host: '127.0.0.1', port: 0 },
    target: { host: '127.0.0.1', port: target },
  });
  await e.start('dl');
  return { proxy, port: listenPath ? 0 : boundPort(e.get('dl')) };
}

/** Reads everything from the local port (or socket path); `pauseMs` after every MiB makes a slow reader. */
function download(to: number | string, pauseMs: number): Promise<{ bytes: number; hash: string }> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    let bytes = 0;
    let sincePause = 0;
    const sock = typeof to === 'string' ? net.connect({ path: to }) : net.connect({ port: to, host: '127.0.0.1' });
    sock.on('data', (d: Buffer) => {
      hash.update(d);
      bytes += d.length;
      sincePause += d.length;
      if (pauseMs && sincePause >= MiB) {
        sincePause = 0;
        sock.pause();
        setTimeout(() => sock.resume(), pauseMs);
      }
    });
    sock.on('end', () => resolve({ bytes, hash: hash.digest('hex') }));
    sock.on('error', reject);
  });
}

/** The largest receive window any client channel had while data arrived, from now on. */
function largestWindow(): () => number {
  const { Channel } = createRequire(import.meta.url)('ssh2/lib/Channel.js') as {
    Channel: { prototype: { push(this: { _winMax?: number }, d: unknown): boolean } };
  };
  let largest = 0;
  const push = Channel.prototype.push;
  Channel.prototype.push = function (d) {
    largest = Math.max(largest, this._winMax ?? 0);
    return push.call(this, d);
  };
  undo.push(() => (Channel.prototype.push = push));
  return () => largest;
}

describe('receive window auto-tuning (patched ssh2)', () => {
  it('ssh2 carries the patch (npm ci applies patches/ssh2+1.17.0.patch through patch-package)', () => {
    const channel = createRequire(import.meta.url)('ssh2/lib/Channel.js') as Record<string, unknown>;
    expect(typeof channel.windowAutotune, 'ssh2 is not patched: run npm ci (its postinstall runs patch-package)').toBe('function');
  });

  it('a download over a 200 ms round trip: the window grows past ssh2s fixed 2 MiB, and every byte arrives intact', async () => {
    const TOTAL = 48 * MiB;
    const src = await sourceServer(TOTAL);
    undo.push(() => src.close());
    const { proxy, port } = await tunnel(200, src.port);
    const got = await download(port, 0);
    expect(got.bytes).toBe(TOTAL);
    expect(got.hash).toBe(src.sha256);
    // In flight at once from sshd to Burrow: at most 2 MiB (plus a packet) with a fixed window.
    expect(proxy.connections[0].down.maxHeld).toBeGreaterThan(4 * MiB);
  }, 60_000);

  it('on loopback the window stays at 2 MiB: an exhausted window there means a busy receiver, not a long link', async () => {
    const largest = largestWindow();
    const src = await sourceServer(64 * MiB);
    undo.push(() => src.close());
    const { port } = await tunnel(0, src.port);
    const got = await download(port, 0);
    expect(got.hash).toBe(src.sha256);
    expect(largest()).toBe(2 * MiB);
  }, 60_000);

  it('a reader slower than the link: the window stops growing once the reader pushes back, short of the 16 MiB cap', async () => {
    const largest = largestWindow();
    const TOTAL = 24 * MiB;
    const src = await sourceServer(TOTAL);
    undo.push(() => src.close());
    // On a Unix socket, whose kernel buffers hold a few hundred KiB (a loopback TCP connection's grow
    // to several MiB, and how soon they filled decided how far the window grew first): the reader's
    // push-back reaches the channel at once.
    const path = join(mkdtempSync(join(tmpdir(), 'burrow-window-')), 'slow.sock');
    await tunnel(200, src.port, path);
    // About 3 MiB/s, where 2 MiB over 200 ms allows 10 MiB/s: the reader, not the window, limits.
    // The window stops growing once the reader pushes back: without the rule, it grows to 16 MiB.
    const got = await download(path, 300);
    expect(got.hash).toBe(src.sha256);
    expect(largest()).toBeLessThan(16 * MiB);
  }, 90_000);

  it('a slow local reader over the same link: memory here stays bounded (the window stops growing while the reader lags) and every byte arrives', async () => {
    const TOTAL = 64 * MiB;
    const src = await sourceServer(TOTAL);
    undo.push(() => src.close());
    const { proxy, port } = await tunnel(200, src.port);
    // The proxy lives in this process too: what it holds is the link's, not Burrow's.
    const held = () => proxy.connections.reduce((n, c) => n + c.up.held + c.down.held, 0);
    const base = liveArrayBuffers();
    let peak = 0;
    const sample = () => (peak = Math.max(peak, liveArrayBuffers() - held() - base));
    const timer = setInterval(sample, 100);
    try {
      // About 10 MiB/s: far below what a 16 MiB window over 200 ms could bring.
      const got = await download(port, 100);
      expect(got.bytes).toBe(TOTAL);
      expect(got.hash).toBe(src.sha256);
    } finally {
      clearInterval(timer);
    }
    // The bound of the 256 MiB slow-reader upload test (engine-coverage.test.ts). Measured after a
    // full collection: on a loaded machine uncollected garbage alone went past it (74 MiB raw).
    expect(peak).toBeLessThan(64 * MiB);
  }, 90_000);
});
