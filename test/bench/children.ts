// Every process the benchmark starts is registered here, so that it is ended
// on every way out: normal exit, an error, a watchdog, or a signal.
import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';

const live = new Set<ChildProcess>();
/** Processes whose own children must go too (sshd forks one per connection). */
const families = new Set<ChildProcess>();

export function track(child: ChildProcess, opts: { family?: boolean } = {}): ChildProcess {
  live.add(child);
  if (opts.family) families.add(child);
  child.once('exit', () => {
    live.delete(child);
    families.delete(child);
  });
  return child;
}

const running = (c: ChildProcess) => c.exitCode === null && c.signalCode === null;

/** Ends one tracked process: SIGTERM, then SIGKILL after graceMs. */
export function end(child: ChildProcess, graceMs = 2000): Promise<void> {
  if (!running(child)) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Resolves true once the process has exited, false after ms. */
export function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (!running(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Synchronous last resort: SIGKILL everything still running (and sshd's children). */
export function killAllNow(): void {
  for (const c of families) {
    if (c.pid && running(c)) {
      try {
        execFileSync('pkill', ['-KILL', '-P', String(c.pid)]);
      } catch {
        /* no children */
      }
    }
  }
  for (const c of live) if (running(c)) c.kill('SIGKILL');
}

export function liveCount(): number {
  return [...live].filter(running).length;
}
