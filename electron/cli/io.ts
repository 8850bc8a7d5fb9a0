// What a command talks to: output streams and the terminal. Tests pass their own.
import { closeSync, openSync, writeSync } from 'node:fs';
import { Writable, type Readable } from 'node:stream';
import { BurrowError } from '../../shared/errors';
import type { ProcessSignals } from './signals';

export interface CliIO {
  stdout: Writable;
  stderr: Writable;
  /** Where the event lines for people go instead of stderr (-E log_file); prompts stay on the terminal. */
  log?: Writable;
  stdin: Readable & { isTTY?: boolean; setRawMode?(mode: boolean): unknown };
  env: NodeJS.ProcessEnv;
  /** Resolves when the command should stop (SIGINT/SIGTERM). */
  stopSignal: Promise<string>;
  /** Calls back on each "retry now" signal (SIGUSR1); returns the unsubscribe. */
  onRetrySignal?(cb: () => void): () => void;
  /** Ctrl-C typed at a hidden prompt (raw mode: the terminal sends no SIGINT then): stops the command as SIGINT does. */
  interrupt?(): void;
}

/** The real process's streams and environment, with the signals entry.ts installed first. */
export function processIO(signals: ProcessSignals): CliIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    stopSignal: signals.stopSignal,
    onRetrySignal: signals.onRetrySignal,
    interrupt: signals.interrupt,
  };
}

/**
 * A log file opened for appending (-E), written synchronously so that nothing is
 * lost when the process exits; each line starts with the time. Throws USAGE
 * when it cannot be opened.
 */
export function appendLogFile(path: string): Writable {
  let fd: number;
  try {
    fd = openSync(path, 'a', 0o600);
  } catch (e) {
    throw new BurrowError('USAGE', `Cannot open the log file ${path} (-E): ${(e as Error).message}. Give a path in a directory you can write to.`);
  }
  let failed = false;
  return new Writable({
    write(chunk: Buffer | string, _enc, done) {
      if (failed) return done();
      const text = chunk.toString();
      const stamped = text.replace(/^(?=.)/gm, () => `${new Date().toISOString()} `);
      try {
        writeSync(fd, stamped);
      } catch (e) {
        // A full disk must not take the tunnels down: say it once on stderr, then go on without the log.
        if (!failed)
          process.stderr.write(`burrow: warning: cannot write the log file ${path} (-E): ${(e as Error).message}; events are no longer logged there.\n`);
        failed = true;
      }
      done();
    },
    destroy(err, done) {
      closeSync(fd);
      done(err);
    },
  });
}
