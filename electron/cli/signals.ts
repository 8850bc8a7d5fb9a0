// The `burrow` process's signals, installed by entry.ts before anything else loads.
// - SIGUSR1: while no JavaScript listens for it, Node opens its inspector
//   (ws://127.0.0.1:9229), which would let any local user run code as this user
//   and read passphrases in memory. One listener stays for the whole life of the
//   process; to `connect` and `up` it means "retry now".
// - SIGINT/SIGTERM: stopSignal resolves, and commands that run until stopped
//   shut down on it. Whatever still runs STOP_GRACE_MS later (a lock wait, a
//   host-key question, a server that never answers) is ended there, exit 0.
//   Profile writes are synchronous and atomic (temp file + rename) and the file
//   lock is released at exit, so a stop never leaves anything half-written.

/** How long a stopping command gets to close its sessions before the process exits. */
export const STOP_GRACE_MS = 600;

export interface ProcessSignals {
  /** Resolves with the signal's name at the first SIGINT/SIGTERM. */
  stopSignal: Promise<string>;
  /** Calls back on each SIGUSR1; returns the unsubscribe. */
  onRetrySignal(cb: () => void): () => void;
  /** The command has returned: once a stop was asked for, exit now rather than wait for open handles. */
  finished(): void;
  /** As a SIGINT: for a Ctrl-C read from a terminal in raw mode. */
  interrupt(): void;
}

export function installSignalHandlers(proc: NodeJS.Process = process): ProcessSignals {
  const retry = new Set<() => void>();
  proc.on('SIGUSR1', () => {
    for (const cb of retry) cb();
  });

  let stopping = false;
  let resolveStop!: (signal: string) => void;
  const stopSignal = new Promise<string>((r) => (resolveStop = r));
  const exitNow = () => proc.exit(typeof proc.exitCode === 'number' ? proc.exitCode : 0);
  const onStop = (signal: string) => {
    // A second ^C does not wait for the first one's grace period.
    if (stopping) return exitNow();
    stopping = true;
    resolveStop(signal);
    setTimeout(exitNow, STOP_GRACE_MS).unref();
  };
  // 'on', not 'once': a second signal must find a listener too (a library using
  // signal-exit re-raises a signal it finds no other listener for: status 130).
  proc.on('SIGINT', () => onStop('SIGINT'));
  proc.on('SIGTERM', () => onStop('SIGTERM'));

  return {
    stopSignal,
    onRetrySignal(cb) {
      retry.add(cb);
      return () => void retry.delete(cb);
    },
    finished() {
      if (stopping) exitNow();
    },
    interrupt: () => onStop('SIGINT'),
  };
}
