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
      near.destroy();
      far.destroy();
    };
    near.on('data', (d: Buffer) => count('out', d.length));
    far.on('data', (d: Buffer) => count('in', d.length));
    near.pipe(far);
    far.pipe(near);
    near.once('error', kill);
    far.once('error', kill);
    near.once('close', () => {
      onClose();
      // The near side is fully gone: nobody will read what the far side sends.
      far.destroy();
    });
    far.once('close', () => {
      onClose();
      // Let what is already queued reach the near side, then let go of it.
      if (!near.destroyed) near.end(() => near.destroy());
    });
  });
}
