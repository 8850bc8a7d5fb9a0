// Writing a file so that it is either the old version or the whole new one,
// and on disk when we say it is: every byte written to a temporary file
// (a short write is an error, not a success), fsync, rename over the target,
// fsync of the folder. Anything that goes wrong leaves the target untouched
// and removes the temporary file. Files and folders are private to the user.
//
// (conf/electron-store's own writer, `atomically`, ignores a short write and
// renames a truncated file into place: on a full disk that lost whole profile
// files. So conf-store.ts installs this as the writer of the conf or
// electron-store instance the repository saves config.json through.)
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { BurrowError } from '../../shared/errors';
import { pidAlive } from './process-identity';

export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;

export interface DurableWriteOptions {
  mode?: number;
  /**
   * false: whole and atomic, but not flushed to disk (a file that is stale
   * after a crash anyway, rewritten often on the tunnels' thread: no fsync stalls).
   */
  durable?: boolean;
  /** Called after the new content is on disk, just before the rename; throwing aborts the write (nothing changed). */
  beforeRename?: () => void;
}

/** `config.json.tmp-<pid>-<random>`: the pid tells a later writer whether the file's writer is gone. */
function tempName(path: string): string {
  return `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
}

export function writeFileDurable(path: string, data: string | Uint8Array, opts: DurableWriteOptions = {}): void {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  ensurePrivateDir(dirname(path));
  const tmp = tempName(path);
  try {
    const fd = openSync(tmp, 'wx', opts.mode ?? FILE_MODE);
    try {
      for (let off = 0; off < buf.length;) {
        const n = writeSync(fd, buf, off, buf.length - off);
        if (n <= 0) throw Object.assign(new Error('no space left on device (a write made no progress)'), { code: 'ENOSPC', syscall: 'write' });
        off += n;
      }
      if (opts.durable !== false) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    opts.beforeRename?.();
    renameOver(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  if (opts.durable !== false) syncDir(dirname(path));
}

/** Windows refuses to replace a file another process has open for a moment (a virus scanner, a reader): try again briefly. */
function renameOver(from: string, to: string): void {
  const deadline = Date.now() + 2000;
  for (;;) {
    try {
      renameSync(from, to);
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (process.platform !== 'win32' || !['EPERM', 'EACCES', 'EBUSY'].includes(code ?? '') || Date.now() > deadline) throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  }
}

/** The rename itself is durable only once the folder is synced (POSIX; Windows cannot open a folder for this). */
function syncDir(dir: string): void {
  if (process.platform === 'win32') return;
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    /* some file systems refuse fsync on a folder; the file itself is synced */
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Creates the folder (0700), or takes group and other access away from an existing one. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  if (process.platform === 'win32') return;
  try {
    const mode = statSync(dir).mode & 0o777;
    if (mode & 0o077) chmodSync(dir, mode & DIR_MODE);
  } catch {
    /* not ours to change (another owner): the files in it are still 0600 */
  }
}

/** Temporary files of killed writers older than this are removed even when their writer cannot be identified. */
const ORPHAN_AGE_MS = 60_000;

/**
 * Removes `<file>.tmp-*` left by writes that were killed: ours name their
 * writer's pid (removed once that process is gone); others (conf's writer, an
 * older Burrow) once they are a minute old. Call it while holding the file's lock.
 */
export function removeOrphanTemps(path: string, now = Date.now()): void {
  const dir = dirname(path);
  const prefix = `${basename(path)}.tmp-`;
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.startsWith(prefix));
  } catch {
    return;
  }
  for (const name of names) {
    const file = join(dir, name);
    const ours = /^(\d{1,9})-[0-9a-f]+$/.exec(name.slice(prefix.length));
    try {
      const orphan = ours ? Number(ours[1]) !== process.pid && !pidAlive(Number(ours[1])) : now - statSync(file).mtimeMs > ORPHAN_AGE_MS;
      if (orphan) rmSync(file, { force: true });
    } catch {
      /* gone already, or not ours to remove */
    }
  }
}

const FULL = new Set(['ENOSPC', 'EDQUOT']);
const NOT_WRITABLE = new Set(['EACCES', 'EPERM', 'EROFS']);

export function isDiskFull(e: unknown): boolean {
  return FULL.has((e as NodeJS.ErrnoException)?.code ?? '');
}

export function isNotWritable(e: unknown): boolean {
  return NOT_WRITABLE.has((e as NodeJS.ErrnoException)?.code ?? '');
}

/**
 * What a person is told when a file in the profile folder could not be
 * written; nothing was changed in every case (the old file is still in place).
 */
export function writeFailure(e: unknown, path: string): BurrowError {
  if (e instanceof BurrowError) return e;
  const err = e as NodeJS.ErrnoException;
  const dir = dirname(path);
  if (isDiskFull(err)) {
    return new BurrowError(
      'DISK_FULL',
      `Could not save ${path}: the disk is full: nothing was changed. Free some space on the disk that holds ${dir} and try again.`,
      { cause: e },
    );
  }
  if (isNotWritable(err)) {
    const how = err.code === 'EROFS' ? 'it is on a read-only file system' : `this user cannot write there (${err.code})`;
    return new BurrowError(
      'READ_ONLY',
      `Could not save ${path}: ${how}: nothing was changed. Make the folder writable (chmod u+w '${dir}') or set BURROW_CONFIG_DIR to a folder you can write.`,
      { cause: e },
    );
  }
  return new BurrowError('INTERNAL', `Could not save ${path} (${err?.code ?? err?.message ?? String(e)}): nothing was changed.`, { cause: e });
}
