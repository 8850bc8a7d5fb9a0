// Opt-in runtime patches of ssh2 inside the engine child, to measure what a
// change would give before proposing it: BENCH_EXPERIMENT=cork,slab npm run bench
// Applied before ssh2 is loaded. Nothing here runs unless the variable is set.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

type Patch = () => void;

const patches: Record<string, Patch> = {
  /** Nagle left on everywhere (what a bare pipe() does): to see what TCP_NODELAY costs per byte. */
  nagle() {
    const net = require('node:net') as typeof import('node:net');
    net.Socket.prototype.setNoDelay = function (this: import('node:net').Socket) {
      return this;
    };
    const connect = net.connect;
    (net as { connect: unknown }).connect = (opts: unknown, ...rest: unknown[]) =>
      (connect as (...a: unknown[]) => unknown)(typeof opts === 'object' && opts ? { ...opts, noDelay: false } : opts, ...rest);
  },
  /** tsx compiles with esbuild's keepNames: every closure created gets Object.defineProperty(fn, 'name'); skip those. */
  nokeepnames() {
    const define = Object.defineProperty;
    Object.defineProperty = function <T>(o: T, p: PropertyKey, d: PropertyDescriptor & ThisType<unknown>): T {
      if (p === 'name' && typeof o === 'function' && d.configurable && 'value' in d && !('writable' in d)) return o;
      return define(o, p, d);
    };
  },
  /** A channel's EOF and CLOSE leave at the end of the event-loop turn (after the turn's other writes), not at once. */
  lateteardown() {
    const { Channel } = require('ssh2/lib/Channel.js') as { Channel: { prototype: Record<string, unknown> } };
    const eof = Channel.prototype.eof as (this: unknown) => void;
    const close = Channel.prototype.close as (this: unknown) => void;
    Channel.prototype.eof = function (this: unknown) {
      setImmediate(() => eof.call(this));
    };
    Channel.prototype.close = function (this: unknown) {
      setImmediate(() => close.call(this));
    };
  },
  /** A channel's CLOSE waits for the next packet written by a channel or a channel open (or 2 ms), and leaves after it in the same write. */
  lateclose() {
    const { Channel } = require('ssh2/lib/Channel.js') as { Channel: { prototype: Record<string, unknown> } };
    const ssh2 = require('ssh2') as { Client: { prototype: Record<string, unknown> } };
    const close = Channel.prototype.close as (this: unknown) => void;
    const write = Channel.prototype._write as (this: unknown, ...a: unknown[]) => void;
    const forwardOut = ssh2.Client.prototype.forwardOut as (this: unknown, ...a: unknown[]) => unknown;
    let pending: unknown[] = [];
    let timer: NodeJS.Timeout | undefined;
    const flush = () => {
      if (timer) clearTimeout(timer);
      timer = undefined;
      const list = pending;
      pending = [];
      for (const ch of list) close.call(ch);
    };
    Channel.prototype.close = function (this: unknown) {
      pending.push(this);
      timer ??= setTimeout(flush, 2);
    };
    // After the packet that waits on it, in the same corked tick (one write, the urgent packet first).
    Channel.prototype._write = function (this: unknown, ...a: unknown[]) {
      write.apply(this, a);
      if (pending.length) flush();
    };
    ssh2.Client.prototype.forwardOut = function (this: unknown, ...a: unknown[]) {
      const out = forwardOut.apply(this, a);
      if (pending.length) flush();
      return out;
    };
  },
  /** ssh2 without its native crypto binding, as in the Electron app (Node's crypto instead). */
  nonative() {
    const Module = require('node:module') as { _load: (req: string, ...rest: unknown[]) => unknown };
    const load = Module._load;
    Module._load = function (req: string, ...rest: unknown[]) {
      if (req.endsWith('sshcrypto.node')) throw new Error('native binding disabled (BENCH_EXPERIMENT=nonative)');
      return load.call(this, req, ...rest);
    };
  },
  /** Batch every SSH packet written during one tick into one writev (socket cork). */
  cork() {
    const { Channel } = require('ssh2/lib/Channel.js') as { Channel: { prototype: Record<string, unknown> } };
    const orig = Channel.prototype._write as (this: unknown, d: Buffer, e: unknown, cb: () => void) => void;
    Channel.prototype._write = function (this: { _client: { _sock?: import('node:net').Socket } }, d: Buffer, e: unknown, cb: () => void) {
      const sock = this._client._sock;
      if (!sock || sock.writableCorked) return orig.call(this, d, e, cb);
      sock.cork();
      try {
        orig.call(this, d, e, cb);
      } finally {
        process.nextTick(() => sock.uncork());
      }
    };
  },
  /** Every SSH packet written during one tick goes out in one writev (cork the SSH socket per tick). */
  corkall() {
    const ssh2 = require('ssh2') as { Client: { prototype: Record<string, unknown> } };
    const connect = ssh2.Client.prototype.connect as (this: { _sock?: import('node:net').Socket }, cfg: unknown) => unknown;
    ssh2.Client.prototype.connect = function (this: { _sock?: import('node:net').Socket }, cfg: unknown) {
      const out = connect.call(this, cfg);
      const sock = this._sock;
      if (sock) {
        const write = sock.write;
        let corked = false;
        const uncork = () => {
          corked = false;
          sock.uncork();
        };
        sock.write = function (this: import('node:net').Socket, ...args: unknown[]) {
          if (!corked) {
            corked = true;
            sock.cork();
            process.nextTick(uncork);
          }
          return (write as (...a: unknown[]) => boolean).apply(this, args);
        } as typeof sock.write;
      }
      return out;
    };
  },
  /** ssh2's fixed 2 MiB receive window, as before patches/ssh2+1.17.0.patch: its auto-tuning state can never be set. */
  fixedwindow() {
    const { Channel } = require('ssh2/lib/Channel.js') as { Channel: { prototype: object } };
    Object.defineProperty(Channel.prototype, '_winMax', { get: () => undefined, set: () => undefined });
  },
  /** Outgoing packets cut from 1 MiB slabs instead of one Buffer.allocUnsafe each (fewer ArrayBuffers for the GC). */
  slab() {
    const c = require('ssh2/lib/protocol/crypto.js') as { createCipher: (cfg: unknown) => { allocPacket?: (n: number) => Buffer } };
    const create = c.createCipher;
    const SLAB = 1024 * 1024;
    let slab = Buffer.allocUnsafeSlow(SLAB);
    let at = 0;
    c.createCipher = (cfg: unknown) => {
      const cipher = create(cfg);
      const alloc = cipher.allocPacket?.bind(cipher);
      if (!alloc) return cipher;
      const real = Buffer.allocUnsafe;
      cipher.allocPacket = (n: number) => {
        // Let ssh2 size and fill the packet, from a slab instead of a fresh buffer
        Buffer.allocUnsafe = (size: number) => {
          if (size > SLAB / 4) return real(size);
          if (at + size > SLAB) {
            slab = Buffer.allocUnsafeSlow(SLAB);
            at = 0;
          }
          const b = slab.subarray(at, at + size);
          at += (size + 7) & ~7;
          return b;
        };
        try {
          return alloc(n);
        } finally {
          Buffer.allocUnsafe = real;
        }
      };
      return cipher;
    };
  },
};

export function applyExperiments(spec = process.env.BENCH_EXPERIMENT ?? ''): string[] {
  const names = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const n of names) {
    const p = patches[n];
    if (!p) throw new Error(`Unknown BENCH_EXPERIMENT '${n}' (known: ${Object.keys(patches).join(', ')})`);
    p();
  }
  return names;
}
