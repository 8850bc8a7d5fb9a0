// sshd leaves Nagle's algorithm on when a session only forwards (ssh -N): a
// small packet waits while an earlier one is unacknowledged. Linux delays our
// acknowledgement up to 40 ms when we have nothing to send back, so a channel
// confirmation right after the login's host-keys message, or the second part of
// a reply the server wrote in two, waited up to 40 ms for it. OpenSSH's client
// waits the same. When a read from the server leaves us nothing to write for a
// millisecond, an empty SSH_MSG_IGNORE carries the acknowledgement (Node has no
// TCP_QUICKACK). At most one per NUDGE_GAP_MS, so a download, which writes
// nothing back for long stretches, sends at most 500 a second (36 bytes each).
import type { Duplex } from 'node:stream';

/** How long a read may go unanswered before the nudge: a local reply in that time carries the acknowledgement itself. */
const SILENT_MS = 1;
const NUDGE_GAP_MS = 2;

/**
 * Watches what the session reads from and writes to its transport (the first
 * hop's TCP socket, or a jump host's channel to the next hop, whose server's
 * socket is then acknowledged by the jump host as it passes the IGNORE on);
 * `sendIgnore` writes an SSH_MSG_IGNORE. Returns the function that stops it.
 */
export function acknowledgePromptly(transport: Duplex, sendIgnore: () => void): () => void {
  /** Whether the last read is still unanswered. */
  let owed = false;
  let lastNudge = -Infinity;
  let timer: NodeJS.Timeout | undefined;
  const write = transport.write;
  transport.write = function (this: Duplex, ...args: Parameters<Duplex['write']>) {
    owed = false;
    return write.apply(this, args);
  } as Duplex['write'];
  const check = () => {
    timer = undefined;
    if (!owed || transport.destroyed || !transport.writable) return;
    const wait = lastNudge + NUDGE_GAP_MS - performance.now();
    if (wait > 0) {
      timer = setTimeout(check, wait);
      return;
    }
    lastNudge = performance.now();
    sendIgnore();
  };
  // Before ssh2's own listener: what ssh2 writes while handling this read answers it.
  const onData = () => {
    owed = true;
    timer ??= setTimeout(check, SILENT_MS);
  };
  const stop = () => {
    transport.off('data', onData);
    clearTimeout(timer);
    timer = undefined;
  };
  transport.prependListener('data', onData);
  transport.once('close', stop);
  return stop;
}
