// What a command talks to: output streams and the terminal. Tests pass their own.
import type { Readable, Writable } from 'node:stream';

export interface CliIO {
  stdout: Writable;
  stderr: Writable;
  stdin: Readable & { isTTY?: boolean; setRawMode?(mode: boolean): unknown };
  env: NodeJS.ProcessEnv;
  /** Resolves when the command should stop (SIGINT/SIGTERM). */
  stopSignal: Promise<string>;
}

export function processIO(): CliIO {
  const stopSignal = new Promise<string>((resolve) => {
    // 'on', not 'once': signal-exit (pulled in by some dependencies) re-raises a
    // signal when it finds no other listener, which would kill us mid-shutdown.
    process.on('SIGINT', () => resolve('SIGINT'));
    process.on('SIGTERM', () => resolve('SIGTERM'));
  });
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, stopSignal };
}
