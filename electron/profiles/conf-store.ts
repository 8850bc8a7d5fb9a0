// The store binding of the profile file: a `conf` instance (the CLI, `burrow
// web`, tests) or the app's electron-store instance (a thin subclass of conf,
// created in electron/app/store.ts), made to write durably.
//
// conf writes through its private `_write(value)`, which uses `atomically`:
// that ignores a short write and renames a truncated file into place (on a
// full disk that lost whole profile files). makeDurable() replaces `_write` on
// the instance with durable-write.ts (every byte or an error, fsync, the
// repository's check that its lock is still held just before the rename,
// rename, folder fsync), and `_ensureDirectory` with a 0700 folder. The seam is
// private: test/node/profiles/conf-store.test.ts fails when conf no longer
// writes through `_write`, and every write here checks that it did.
//
// conf does not interpret the file: the repository reads it (by content hash),
// rescues a damaged one and migrates it itself (store-file.ts, migrations.ts).
// So conf gets no schema, no defaults, no migrations, no watch, no encryption
// and no clearInvalidConfig, and its own reads never throw on a damaged file
// (else conf could not even be created to write the repaired one).
import { dirname, resolve } from 'node:path';
import { BurrowError } from '../../shared/errors';
import { ensurePrivateDir, FILE_MODE, writeFileDurable } from './durable-write';

/** What the repository needs of a conf (or electron-store) instance. */
export interface ConfLike {
  readonly path: string;
  store: Record<string, unknown>;
}

/** The options every store on the profile file is created with (conf's names; electron-store takes configName as `name`). */
export interface StoreOptions {
  cwd: string;
  configName: string;
  clearInvalidConfig: false;
  configFileMode: number;
  watch: false;
  deserialize: (text: string) => Record<string, unknown>;
}

export type CreateStore = (options: StoreOptions) => ConfLike | Promise<ConfLike>;

/** conf's view of the file: an object, or empty when the file is damaged (the repository rescues it; conf's reads are not used). */
function deserialize(text: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export function storeOptions(cwd: string, configName: string): StoreOptions {
  return { cwd, configName, clearInvalidConfig: false, configFileMode: FILE_MODE, watch: false, deserialize };
}

/** The CLI's and the tests' store: plain conf, loaded at the first write (commands that only read never load it). */
export const createConfStore: CreateStore = async (options) => {
  const { default: Conf } = await import('conf');
  return new Conf<Record<string, unknown>>(options);
};

/** conf's private members this module relies on. */
interface ConfInternals {
  _write(value: unknown): void;
  _serialize(value: unknown): string | Uint8Array;
  _ensureDirectory(): void;
}

export interface DurableWrite {
  /** Called with the new file on disk, just before it replaces the old one; throwing aborts the write (nothing changed). */
  beforeRename?: () => void;
}

export interface DurableStore {
  readonly path: string;
  /** Replaces the whole file through conf (`store.store = value`), durably; returns the bytes written. */
  write(value: Record<string, unknown>, opts?: DurableWrite): string | Uint8Array;
}

/**
 * Installs the durable writer on a conf (or electron-store) instance. Only
 * writes made through the returned `write` are allowed: any other write
 * through conf (`set`, `delete`, `store =`) would bypass the repository's
 * lock and its check of the file, and is refused.
 */
export function makeDurable(store: ConfLike): DurableStore {
  const internals = store as unknown as ConfInternals;
  for (const name of ['_write', '_serialize', '_ensureDirectory'] as const) {
    if (typeof internals[name] !== 'function') {
      throw new BurrowError(
        'INTERNAL',
        `The profile store (${store.constructor?.name}) has no ${name}(): this version of conf cannot be made to write ${store.path} durably.`,
      );
    }
  }
  const path = store.path;
  let pending: { opts: DurableWrite; written?: string | Uint8Array } | undefined;
  const own = (name: keyof ConfInternals, value: (...args: never[]) => unknown) =>
    Object.defineProperty(store, name, { value, configurable: true, writable: true, enumerable: false });
  own('_write', (value: unknown) => {
    const w = pending;
    if (!w) throw new BurrowError('INTERNAL', `${path} is written only by the profile repository (under its lock); this write through conf was refused.`);
    const data = internals._serialize(value);
    writeFileDurable(path, data, { beforeRename: w.opts.beforeRename });
    w.written = data;
  });
  own('_ensureDirectory', () => ensurePrivateDir(dirname(path)));
  return {
    path,
    write(value, opts = {}) {
      const w: { opts: DurableWrite; written?: string | Uint8Array } = { opts };
      pending = w;
      try {
        store.store = value;
      } finally {
        pending = undefined;
      }
      if (w.written === undefined)
        throw new BurrowError('INTERNAL', `conf did not write ${path} through _write(): it cannot be made durable with this version of conf.`);
      return w.written;
    },
  };
}

/** Creates the store for `path` (<cwd>/<configName>.json) and makes it durable; the store must resolve to that very file. */
export async function openDurableStore(create: CreateStore, path: string, configName: string): Promise<DurableStore> {
  const store = await create(storeOptions(dirname(path), configName));
  if (resolve(store.path) !== resolve(path)) throw new BurrowError('INTERNAL', `The profile store writes ${store.path}, not ${path}.`);
  return makeDurable(store);
}
