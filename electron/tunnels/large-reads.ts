// Node reads a socket 64 KiB at a time into a fresh zero-filled buffer, copies
// any shorter read into yet another one, and hands each read to JS on its own
// tick. During a download the SSH socket has more than that waiting, so each
// read carries about two packets and each packet becomes its own write to the
// local socket. Reading into buffers of our own, up to 256 KiB (OpenSSH reads
// 256 KiB), gives fewer reads and ticks and, with the pipe's per-tick cork
// (pipe.ts), fewer writes downstream.
//
// ssh2 keeps views of what it reads (decrypted payloads are slices of the read
// buffer), so a buffer that was handed on is never read into again. A read that
// fills less than a quarter of the buffer is copied out instead (and the next
// buffer is smaller), so slices never hold more than four times their bytes.
import type net from 'node:net';

const MIN_READ = 64 * 1024;
const MAX_READ = 256 * 1024;

/** The `onread` option of net.connect: reads into 64 to 256 KiB buffers, delivered as 'data' events. */
export function largeReads(): net.OnReadOpts {
  let buf = Buffer.allocUnsafeSlow(MIN_READ);
  return {
    buffer: () => buf,
    callback(this: net.Socket, n: number) {
      let chunk: Buffer;
      if (n * 4 >= buf.length) {
        chunk = buf.subarray(0, n);
        // A full read: more is waiting, read more at once next time.
        buf = Buffer.allocUnsafeSlow(n === buf.length ? Math.min(2 * n, MAX_READ) : buf.length);
      } else {
        chunk = Buffer.from(buf.subarray(0, n));
        if (buf.length > MIN_READ) buf = Buffer.allocUnsafeSlow(buf.length / 2);
      }
      this.emit('data', chunk);
      return true;
    },
  };
}
