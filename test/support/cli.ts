// Runs the real `burrow` command (bin/burrow.mjs) as a child process.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');
export const BURROW = join(ROOT, 'bin', 'burrow.mjs');

export interface Run {
  proc: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** JSON events seen so far on stdout (with --json). */
  events: () => Array<Record<string, unknown>>;
  exited: Promise<number | null>;
  /** Resolves with the first event that satisfies pred. */
  waitFor(pred: (e: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
}

export function burrow(args: string[], opts: SpawnOptions = {}): Run {
  const proc = spawn(process.execPath, [BURROW, ...args], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
    ...opts,
    env: { ...process.env, BURROW_CONFIG_DIR: process.env.BURROW_CONFIG_DIR ?? '/nonexistent-burrow-config', ...opts.env },
  });
  return track(proc);
}

/**
 * Runs `burrow ARGS` on a terminal (script(1)): what it prints comes on stdout, and
 * a ^C written to stdin is typed on that terminal. script runs the command through
 * $SHELL -c; `exec` makes burrow the terminal's only process whatever that shell is
 * (dash does not exec a lone command itself, and would die of the ^C's SIGINT first).
 */
export function burrowOnTerminal(args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;
  const command = `exec ${[process.execPath, BURROW, ...args].map(quote).join(' ')}`;
  return track(
    spawn('script', ['-q', '-f', '-e', '-c', command, '/dev/null'], {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, SHELL: '/bin/sh', ...env },
    }),
  );
}

export function track(proc: ChildProcess): Run {
  let out = '';
  let err = '';
  proc.stdout?.on('data', (d) => (out += d));
  proc.stderr?.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const events = () =>
    out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return {
    proc,
    stdout: () => out,
    stderr: () => err,
    events,
    exited,
    waitFor(pred, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const deadline = Date.now() + timeoutMs;
        const check = () => {
          const hit = events().find(pred);
          if (hit) return resolve(hit);
          if (proc.exitCode !== null || Date.now() > deadline) {
            return reject(new Error(`event not seen (exit ${proc.exitCode}).\nstdout: ${out}\nstderr: ${err}`));
          }
          setTimeout(check, 25);
        };
        check();
      });
    },
  };
}

/** Runs to completion. */
export async function burrowDone(args: string[], opts: SpawnOptions = {}) {
  const r = burrow(args, opts);
  r.proc.stdin?.end();
  const code = await r.exited;
  return { code, stdout: r.stdout(), stderr: r.stderr(), events: r.events() };
}
