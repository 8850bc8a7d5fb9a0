// An exclusive lock between processes on one file (config.json, secrets.json):
// `<file>.lock`, created with O_EXCL and holding its owner (pid, host, process
// start id, a random token). The app and the CLI both take it around every
// read-modify-write.
//
// - A holder that is gone (its pid on this host is dead, or now another
//   process) is taken over at once.
// - A holder that is alive refreshes the lock's mtime; one that has not for
//   `staleMs` (frozen by SIGSTOP, a debugger, laptop sleep; or on another host)
//   is taken over. It may wake up later still believing it holds the lock:
//   `assertHeld()` before its final rename tells it otherwise (LockLost).
// - A folder this user cannot write fails at once, not after retrying.
import { randomBytes } from 'node:crypto';
import { closeSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BurrowError } from '../../shared/errors';
import { DIR_MODE, FILE_MODE } from './durable-write';
import { processStartId, sameProcessAlive } from './process-identity';

export interface LockOptions {
  /** A holder that has not refreshed the lock for this long is taken over (default 10 s). */
  staleMs?: number;
  /** Give up waiting for a live holder after this long (default 30 s). */
  timeoutMs?: number;
  /** Stops waiting (e.g. on Ctrl-C): the wait rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface HeldLock {
  /** Throws LockLost when another process has taken the lock over (this one was presumed frozen). */
  assertHeld(): void;
}

/** This process's lock was taken over: whatever it read under it may be out of date. */
export class LockLost extends Error {
  constructor(lockPath: string) {
    super(`The lock ${lockPath} was taken over by another process.`);
    this.name = 'LockLost';
  }
}

interface Owner {
  pid: number;
  host: string;
  startId?: string;
  token: string;
}

interface Seen {
  /** The lock file's text; undefined when it is not a readable file (an older Burrow's lock folder). */
  text?: string;
  owner?: Owner;
  mtimeMs: number;
}

export function lockPathOf(path: string): string {
  return `${path}.lock`;
}

/** Holds the lock on `path` while `fn` runs. */
export async function withFileLock<T>(path: string, fn: (lock: HeldLock) => Promise<T> | T, opts: LockOptions = {}): Promise<T> {
  const lock = await acquire(path, opts);
  try {
    return await fn(lock);
  } finally {
    lock.release();
  }
}

async function acquire(path: string, opts: LockOptions): Promise<Lock> {
  const staleMs = opts.staleMs ?? 10_000;
  const lockPath = lockPathOf(path);
  mkdirSync(dirname(path), { recursive: true, mode: DIR_MODE });
  const token = randomBytes(8).toString('hex');
  const startId = processStartId(process.pid);
  const text = JSON.stringify({ pid: process.pid, host: hostname(), ...(startId ? { startId } : {}), token } satisfies Owner);
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  let delay = 5;
  for (;;) {
    opts.signal?.throwIfAborted();
    if (tryCreate(lockPath, text)) return new Lock(lockPath, token, staleMs);
    const seen = look(lockPath);
    if (!seen) continue;
    if (isStale(seen, staleMs)) {
      breakStale(lockPath, seen, token);
      continue;
    }
    if (Date.now() > deadline) {
      const who = seen.owner ? `Burrow process ${seen.owner.pid}${seen.owner.host === hostname() ? '' : ` on ${seen.owner.host}`}` : 'another process';
      throw new BurrowError(
        'CONFLICT',
        `The profiles are locked by ${who} (${lockPath}) and it has not let go for ${Math.round((opts.timeoutMs ?? 30_000) / 100) / 10} s; nothing was changed. Try again, or remove that file if no Burrow is running.`,
      );
    }
    await sleep(delay * (0.5 + Math.random()), undefined, { signal: opts.signal }).catch((e) => {
      opts.signal?.throwIfAborted(); // the caller's reason, not Node's AbortError
      throw e;
    });
    delay = Math.min(100, delay * 1.5);
  }
}

/** True when this process now holds the lock; false when it exists; other errors (EACCES, ENOSPC) are thrown. */
function tryCreate(lockPath: string, text: string): boolean {
  let fd: number;
  try {
    fd = openSync(lockPath, 'wx', FILE_MODE);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    const buf = Buffer.from(text);
    if (writeSync(fd, buf) !== buf.length) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC', syscall: 'write' });
  } catch (e) {
    closeSync(fd);
    rmSync(lockPath, { force: true });
    throw e;
  }
  closeSync(fd);
  return true;
}

/**
 * The lock as it is now; null when it has gone meanwhile. The text is read
 * before the age: a lock replaced in between then looks fresh, never stale.
 */
function look(lockPath: string): Seen | null {
  try {
    let text: string | undefined;
    try {
      text = readFileSync(lockPath, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    }
    const mtimeMs = statSync(lockPath).mtimeMs;
    return { text, owner: parseOwner(text), mtimeMs };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

function parseOwner(text: string | undefined): Owner | undefined {
  try {
    const o = JSON.parse(text ?? '') as Owner;
    return typeof o.pid === 'number' && typeof o.host === 'string' && typeof o.token === 'string' ? o : undefined;
  } catch {
    return undefined; // being written right now, or not ours: its age decides
  }
}

function isStale(seen: Seen, staleMs: number): boolean {
  if (seen.owner && seen.owner.host === hostname() && !sameProcessAlive(seen.owner.pid, seen.owner.startId)) return true;
  return Date.now() - seen.mtimeMs > staleMs;
}

/**
 * Removes a stale lock without removing a fresh one that replaced it meanwhile:
 * it is moved away first, and put back if it turns out not to be the one judged stale.
 */
function breakStale(lockPath: string, seen: Seen, token: string): void {
  const moved = `${lockPath}.stale-${token}`;
  try {
    renameSync(lockPath, moved);
  } catch {
    return; // gone already
  }
  let now: string | undefined;
  try {
    now = readFileSync(moved, 'utf8');
  } catch {
    now = undefined;
  }
  if (now !== seen.text) {
    try {
      linkSync(moved, lockPath);
    } catch {
      /* someone holds it again: the one we moved will find out in assertHeld() */
    }
  }
  rmSync(moved, { recursive: true, force: true });
}

class Lock implements HeldLock {
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly lockPath: string,
    private readonly token: string,
    staleMs: number,
  ) {
    this.timer = setInterval(() => this.refresh(), Math.max(50, staleMs / 3));
    this.timer.unref();
  }

  private ours(): boolean {
    try {
      return parseOwner(readFileSync(this.lockPath, 'utf8'))?.token === this.token;
    } catch {
      return false;
    }
  }

  assertHeld(): void {
    if (!this.ours()) throw new LockLost(this.lockPath);
  }

  /** Tells waiters this holder is alive. */
  private refresh(): void {
    if (!this.ours()) return;
    try {
      const now = new Date();
      utimesSync(this.lockPath, now, now);
    } catch {
      /* the next refresh tries again */
    }
  }

  release(): void {
    clearInterval(this.timer);
    if (this.ours()) rmSync(this.lockPath, { force: true });
  }
}
