// Joins an accepted socket and an SSH channel in both directions, with
// backpressure (pipe), half-close (end is forwarded, not destroy) and byte counts.
import type { Duplex } from 'node:stream';

/** 'out': from the near side towards the far side; 'in': back. */
export type ByteCounter = (direction: 'out' | 'in', bytes: number) => void;

export interface ByteTotals {
  bytesIn: number;
  bytesOut: number;
}

/** A counter that adds to every total given (say, the connection's and the forward's). */
export function countInto(...totals: ByteTotals[]): ByteCounter {
  return (direction, n) => {
    for (const t of totals) {
      if (direction === 'out') t.bytesOut += n;
      else t.bytesIn += n;
    }
  };
}

/**
 * Lets go of one side. An ssh2 channel's destroy() only asks the server to close
 * it, and it emits 'close' after the server's answer *and* once what it still
 * holds has been read: a channel no longer piped anywhere (its reader is gone)
 * would never emit it, and the connection would stay in the books for good.
 * Reading on (into nothing) lets it finish.
 */
function letGo(side: Duplex): void {
  side.destroy();
  side.resume();
}

/**
 * src.pipe(dest) with byte counting, except that when dest is a socket what one
 * tick delivers is written corked, as one writev: a read of the SSH socket holds
 * several packets (large-reads.ts), which would otherwise be one write system
 * call each. Backpressure is then checked at the end of the tick (so at most one
 * tick's data goes past the high-water mark; pipe() would pause after the first
 * corked chunk). Nothing is held past the tick, and end() flushes a corked socket.
 */
function forward(src: Duplex, dest: Duplex, count: (n: number) => void): void {
  if (typeof (dest as { _writev?: unknown })._writev !== 'function') {
    src.on('data', (d: Buffer) => count(d.length));
    src.pipe(dest);
    return;
  }
  let inTick = false;
  const endOfTick = () => {
    inTick = false;
    dest.uncork();
    if (dest.writableNeedDrain) {
      src.pause();
      dest.once('drain', () => src.resume());
    }
  };
  src.on('data', (d: Buffer) => {
    count(d.length);
    if (dest.writableEnded || dest.destroyed) return;
    if (!inTick) {
      inTick = true;
      dest.cork();
      process.nextTick(endOfTick);
    }
    dest.write(d);
  });
  src.once('end', () => dest.end());
  // A socket paused while its channel was opening starts flowing here, as with pipe().
  src.resume();
}

/** Runs fn once the side has closed, also when it closed before we looked (a client gone while its channel was opening). */
function whenClosed(side: Duplex, fn: () => void): void {
  if (side.closed) process.nextTick(fn);
  else side.once('close', fn);
}

/**
 * `near` is the side that connected to us, `far` the side we opened.
 * Resolves when both are closed. Errors on either side destroy both; the
 * caller has already attached its own 'error' handlers.
 */
export function bridge(near: Duplex, far: Duplex, count: ByteCounter): Promise<void> {
  return new Promise((resolve) => {
    let closed = 0;
    const onClose = () => {
      if (++closed === 2) resolve();
    };
    const kill = () => {
      letGo(near);
      letGo(far);
    };
    forward(near, far, (n) => count('out', n));
    forward(far, near, (n) => count('in', n));
    near.once('error', kill);
    far.once('error', kill);
    whenClosed(near, () => {
      onClose();
      // The near side is fully gone: nobody will read what the far side sends.
      letGo(far);
    });
    whenClosed(far, () => {
      onClose();
      // Let what is already queued reach the near side, then let go of it.
      if (!near.destroyed) near.end(() => letGo(near));
    });
  });
}
