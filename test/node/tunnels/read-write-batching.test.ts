// Fewer system calls per byte on downloads: the SSH socket is read up to 256 KiB
// at a time into buffers of our own (large-reads.ts), and what one read delivers
// leaves for the local socket in one writev (pipe.ts). See docs/benchmarks.md,
// "Loopback: third pass".
import { describe, expect, it, vi } from 'vitest';
import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { largeReads } from '../../../electron/tunnels/large-reads';
import { bridge } from '../../../electron/tunnels/pipe';
import { serve, sha256 } from '../../support/tcp';

describe('reading the SSH socket', () => {
  it('reads more than 64 KiB at once when more is waiting, and no slice holds more than 4x its bytes', async () => {
    // A Unix socket: what the server has handed to the kernel sits in this side's receive queue.
    const dir = mkdtempSync(join(tmpdir(), 'burrow-reads-'));
    const path = join(dir, 's');
    const data = Buffer.concat([randomBytes(192 * 1024), randomBytes(100)]);
    let served: net.Socket | undefined;
    const server = net.createServer((s) => {
      served = s;
      s.end(data);
    });
    await new Promise<void>((r) => server.listen(path, r));
    try {
      const sock = net.connect({ path, onread: largeReads() });
      sock.pause(); // as ssh2 does until it is ready
      const chunks: Buffer[] = [];
      sock.on('data', (d: Buffer) => chunks.push(d));
      const ended = new Promise((r) => sock.once('end', r));
      // Start reading once at least 160 KiB wait (a first read of 64 KiB, then a larger one).
      await vi.waitFor(() => expect(served?.writableLength ?? Infinity).toBeLessThanOrEqual(data.length - 160 * 1024), { timeout: 20_000 });
      sock.resume();
      await ended;
      expect(sha256(Buffer.concat(chunks))).toBe(sha256(data));
      // Node's own reads are at most 64 KiB each.
      expect(Math.max(...chunks.map((c) => c.length))).toBeGreaterThan(64 * 1024);
      for (const c of chunks) expect(c.buffer.byteLength).toBeLessThanOrEqual(Math.max(4 * c.length, 8192));
      sock.destroy();
    } finally {
      await new Promise((r) => server.close(r));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('writing to the local socket', () => {
  it('writes what one tick delivers in one system call, in order', async () => {
    let received = Buffer.alloc(0);
    let ended!: () => void;
    const done = new Promise<void>((r) => (ended = r));
    const srv = await serve((s) => {
      s.on('data', (d: Buffer) => (received = Buffer.concat([received, d])));
      s.on('end', () => {
        s.end();
        ended();
      });
    });
    const near = net.connect({ port: srv.port, host: '127.0.0.1', allowHalfOpen: true });
    await new Promise((r) => near.once('connect', r));
    // Count the socket's writes as Node issues them (one write or writev system call each).
    let writes = 0;
    const proto = near as unknown as { _writeGeneric: (...a: unknown[]) => unknown };
    const writeGeneric = proto._writeGeneric;
    proto._writeGeneric = function (this: unknown, ...a: unknown[]) {
      writes++;
      return writeGeneric.apply(this, a);
    };
    const far = new PassThrough();
    const totals = { in: 0, out: 0 };
    const bridged = bridge(near, far, (dir, n) => (totals[dir] += n));
    // Three packets' worth of channel data in one tick (one read of the SSH socket).
    const packets = [randomBytes(32 * 1024), randomBytes(32 * 1024), randomBytes(32 * 1024)];
    for (const p of packets) far.write(p);
    await new Promise((r) => setImmediate(r));
    expect(writes).toBe(1);
    far.end();
    await done;
    await bridged;
    expect(sha256(received)).toBe(sha256(Buffer.concat(packets)));
    expect(totals.in).toBe(3 * 32 * 1024);
    await srv.close();
  });
});
