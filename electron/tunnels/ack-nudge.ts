// sshd leaves Nagle's algorithm on when a session only forwards (ssh -N): a
// small packet waits while an earlier one is unacknowledged. Linux delays our
// acknowledgement up to 40 ms when we have nothing to send back, so a channel
// confirmation right after the login's host-keys message, or the second part of
// a reply the server wrote in two, waited up to 40 ms for it. OpenSSH's client
// waits the same. When a read from the server leaves us nothing to write for a
// millisecond, an empty SSH_MSG_IGNORE carries the acknowledgement (Node has no
// TCP_QUICKACK). At most one per NUDGE_GAP_MS, so a download, which writes
// nothing back for long stretches, sends about a hundred a second.
import type net from 'node:net';

/** How long a read may go unanswered before the nudge: a local reply in that time carries the acknowledgement itself. */
const SILENT_MS = 1;
const NUDGE_GAP_MS = 2;

/** Watches the SSH socket's reads and writes; `sendIgnore` writes an SSH_MSG_IGNORE. Returns the function that stops it. */
export function acknowledgePromptly(sock: net.Socket, sendIgnore: () => void): () => void {
  /** sock.bytesWritten (which counts what is still buffered) when the last unanswered read came. */
  let writtenAtRead = -1;
  let lastNudge = -Infinity;
  let timer: NodeJS.Timeout | undefined;
  const check = () => {
    timer = undefined;
    if (writtenAtRead < 0 || sock.destroyed || !sock.writable) return;
    if (sock.bytesWritten !== writtenAtRead) {
      writtenAtRead = -1;
      return;
    }
    const wait = lastNudge + NUDGE_GAP_MS - performance.now();
    if (wait > 0) {
      timer = setTimeout(check, wait);
      return;
    }
    writtenAtRead = -1;
    lastNudge = performance.now();
    sendIgnore();
  };
  // Before ssh2's own listener: what ssh2 writes while handling this read answers it.
  const onData = () => {
    writtenAtRead = sock.bytesWritten;
    timer ??= setTimeout(check, SILENT_MS);
  };
  const stop = () => {
    sock.off('data', onData);
    clearTimeout(timer);
    timer = undefined;
  };
  sock.prependListener('data', onData);
  sock.once('close', stop);
  return stop;
}
