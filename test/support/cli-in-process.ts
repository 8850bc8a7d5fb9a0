// Runs the `burrow` command in this process (electron/cli/main.ts's main) with
// an in-memory CliIO: what it prints is collected, and the test decides when
// it is told to stop.
import { PassThrough, Readable } from 'node:stream';
import { expect } from 'vitest';
import { main } from '../../electron/cli/main';
import type { CliIO } from '../../electron/cli/io';

export interface InProcessOptions {
  /** Makes stdin a TTY that has this typed into it (for password prompts); default: no TTY, nothing to read. */
  tty?: string;
  /** Added to the environment. BURROW_SOCKS_PASSWORD is taken from here only, never from the test's own environment. */
  env?: Record<string, string>;
}

export interface InProcessIO extends CliIO {
  /** Everything printed to stdout so far. */
  out(): string;
  /** Everything printed to stderr so far. */
  err(): string;
  /** Resolves stopSignal, as a SIGTERM would. */
  stop(): void;
}

/** A CliIO for a command that reads its profiles from `configDir` (BURROW_CONFIG_DIR). */
export function inProcessIO(configDir: string, opts: InProcessOptions = {}): InProcessIO {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let o = '';
  let e = '';
  stdout.on('data', (d) => (o += d));
  stderr.on('data', (d) => (e += d));
  let stop!: () => void;
  const stopSignal = new Promise<string>((r) => (stop = () => r('SIGTERM')));
  let stdin: CliIO['stdin'];
  if (opts.tty !== undefined) {
    const tty = new PassThrough() as PassThrough & { isTTY: boolean };
    tty.isTTY = true;
    tty.write(opts.tty);
    stdin = tty;
  } else stdin = Readable.from([]) as CliIO['stdin'];
  const env: NodeJS.ProcessEnv = { ...process.env, BURROW_CONFIG_DIR: configDir, ...opts.env };
  if (!opts.env?.BURROW_SOCKS_PASSWORD) delete env.BURROW_SOCKS_PASSWORD;
  return { stdout, stderr, stdin, env, stopSignal, out: () => o, err: () => e, stop };
}

/** Runs `burrow ARGV` to its end: the exit code and what it printed. */
export async function runInProcess(configDir: string, argv: string[], opts: InProcessOptions = {}): Promise<{ code: number; out: string; err: string }> {
  const t = inProcessIO(configDir, opts);
  const code = await main(argv, t);
  return { code, out: t.out(), err: t.err() };
}

/**
 * Starts a long-running `burrow ARGV` (up or connect, with --json) and waits
 * until it says it listens (an error event, or 10 s, end the wait: the
 * expectation then fails with what it printed). stop() ends it and resolves
 * with its exit code.
 */
export async function startListening(configDir: string, argv: string[], opts: InProcessOptions = {}) {
  const t = inProcessIO(configDir, opts);
  const exit = main(argv, t);
  for (let i = 0; i < 200 && !t.out().includes('"listening"') && !t.out().includes('"error"'); i++) await new Promise((r) => setTimeout(r, 50));
  expect(t.out(), t.err()).toContain('"event":"listening"');
  return { t, stop: async () => (t.stop(), exit) };
}

/**
 * A terminal for the CLI (env empty): answers each prompt as it appears on
 * stderr, in order, as if typed with Enter; type() sends keys at any time.
 */
export function fakeTerminal(answers: Array<[RegExp, string]> = []) {
  const stdin = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => undefined });
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let err = '';
  let out = '';
  let stop!: (s: string) => void;
  const pending = [...answers];
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => {
    err += d;
    const next = pending[0];
    if (next && next[0].test(err)) {
      pending.shift();
      stdin.write(`${next[1]}\r`);
    }
  });
  const io: CliIO = { stdin, stdout, stderr, env: {}, stopSignal: new Promise((r) => (stop = r)) };
  return { io, stop, stderr: () => err, stdout: () => out, type: (keys: string) => stdin.write(keys) };
}
