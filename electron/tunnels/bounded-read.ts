// Reading a file whose size Burrow does not control (one a user named, or one
// a config points to) within a bound: a device that never ends (/dev/zero) or
// a huge file would exhaust the memory, and a FIFO nobody writes to would hold
// the process for ever (in the app, its main process). Opened without
// blocking and read to at most `max` bytes.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

/** The file holds more than the caller reads. */
export class FileTooLarge extends Error {
  constructor(readonly max: number) {
    super(`it holds more than ${max} bytes`);
  }
}

/** The whole file, if it holds at most `max` bytes; throws FileTooLarge, or the system's error (with its code: ENOENT, EACCES, EISDIR...). */
export function readBounded(file: string, max: number): Buffer {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (fstatSync(fd).isDirectory()) throw Object.assign(new Error('it is a directory'), { code: 'EISDIR' });
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(64 * 1024, max + 1 - total));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > max) throw new FileTooLarge(max);
    }
    return Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}
