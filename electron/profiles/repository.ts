// ProfileRepository: saved hosts, forwards and settings, in one JSON file.
//
// - The app, the CLI and tests open it with `ProfileRepository.open({ secrets })`
//   on <configDir>/config.json (BURROW_CONFIG_DIR, else Electron's userData
//   folder for "Burrow"). It is saved through a `conf` store (the CLI, tests)
//   or, in the app, through electron-store (`createStore`, electron/app/store.ts),
//   both in conf's JSON format. The repository reads the file itself (to hash
//   it and rescue a damaged one); conf only writes it, made durable
//   (conf-store.ts) and never outside the repository's lock.
// - Every change is a function applied under an inter-process lock
//   (file-lock.ts) to the file as it is on disk right now: a write by another
//   process (the app, the CLI) is noticed by its content hash, reloaded, and
//   the change is applied on top of it, so nothing is lost. Just before the
//   new file replaces the old one, the writer checks that it still holds the
//   lock and that the file is still what it read; if not (it was frozen past
//   the lock's staleness and another process wrote), it redoes the change on
//   the current file.
// - Writes are atomic and durable (conf's `_write` replaced by durable-write.ts:
//   all bytes, fsync, the lock and hash check, rename, folder fsync): a full
//   disk is an error that changes nothing, never a truncated file.
// - A corrupt file (or one whose schemaVersion cannot be read) is kept aside as
//   config.corrupt-<timestamp>.json, what can be read is kept, and `warnings`
//   says where the old file went.
// - A folder that cannot be written (permissions, a full disk) still opens:
//   reading works, each change fails at once saying what to do.
// - Keys of the file that are not ours (the app's window bounds...) are kept.
import { randomUUID } from 'node:crypto';
import { watch as fsWatch, type FSWatcher } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { BurrowError } from '../../shared/errors';
import {
  ProfileDocumentSchema,
  SCHEMA_VERSION,
  checkReferences,
  emptyDocument,
  hostInUse,
  type Forward,
  type Host,
  type ProfileDocument,
  type Settings,
} from '../../shared/model';
import { checkHostRules } from './host-rules';
import { mergeInto, type ImportReport, type Incoming, type MergeOptions } from './merge';
import { migrate, versionOf } from './migrations';
import { configDir, STORE_FILE, STORE_NAME } from './paths';
import type { SecretStore } from './secrets';
import { createConfStore, openDurableStore, type CreateStore, type DurableStore } from './conf-store';
import { removeOrphanTemps, writeFailure } from './durable-write';
import { LockLost, withFileLock, type HeldLock, type LockOptions } from './file-lock';
import { hashOf, keepAside, parseLenient, readRaw, recoverDocument } from './store-file';

export interface OpenOptions {
  secrets: SecretStore;
  /** The folder of config.json; default: BURROW_CONFIG_DIR, else Electron's userData for Burrow. */
  dir?: string;
  env?: NodeJS.ProcessEnv;
  /** The profile lock's timing (tests), and a signal that stops waiting for it (Ctrl-C). */
  lock?: LockOptions;
  /** The store binding of config.json: the app passes electron-store (electron/app/store.ts); default plain `conf`. */
  createStore?: CreateStore;
  /** For tests of concurrent writers: runs under the lock, with the new file written, just before it replaces the old one. */
  beforeRename?: () => void;
}

export type WarningCode = 'STORE_CORRUPT' | 'STORE_MIGRATED' | 'STORE_NEWER' | 'SECRET_NOT_STORED';

export interface RepositoryWarning {
  code: WarningCode;
  message: string;
  /** For STORE_CORRUPT: where the old file was moved. */
  movedTo?: string;
}

export interface ProfileChange {
  /** 'local': this repository wrote it; 'external': another process did. */
  source: 'local' | 'external';
  document: ProfileDocument;
}

export interface SaveResult<T> {
  value: T;
  warnings: RepositoryWarning[];
}

export interface SecretOption {
  /** The password (auth 'password') or key passphrase (auth 'key'); null forgets the stored one. */
  secret?: string | null;
}

/** A partial update; null removes an optional field. */
export type Patch<T> = { [K in keyof T]?: T[K] | null };

const OUR_KEYS = ['schemaVersion', 'hosts', 'forwards', 'settings'] as const;

function split(obj: Record<string, unknown>): { ours: Record<string, unknown>; other: Record<string, unknown> } {
  const ours: Record<string, unknown> = {};
  const other: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) ((OUR_KEYS as readonly string[]).includes(k) ? ours : other)[k] = v;
  return { ours, other };
}

export function applyPatch<T extends object>(base: T, patch: object): T {
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (v !== undefined) out[k] = v;
  }
  return out as T;
}

const usesSecret = (h: Host) => h.auth.method === 'password' || h.auth.method === 'key';

/** The file changed between our read under the lock and our write: redo the change on the current file. */
class ChangedMeanwhile extends Error {}

/** How many times a change is redone on a file that keeps changing under it before giving up. */
const MAX_REDO = 10;

/** this.hash of a file read while it could not be repaired: never equal to a real hash, so the next locked pass repairs it. */
const NEEDS_REPAIR = 'needs-repair';

/** An error of the file system (EACCES, ENOSPC...), as opposed to ours. */
function isFsError(e: unknown): boolean {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && typeof (e as NodeJS.ErrnoException).syscall === 'string';
}

export class ProfileRepository {
  readonly path: string;
  /** What a person should be told after opening: a corrupt file moved aside, a migration, a newer file. */
  readonly warnings: RepositoryWarning[] = [];
  private doc: ProfileDocument = emptyDocument();
  private other: Record<string, unknown> = {};
  private hash: string | null | undefined = undefined;
  private readOnlyReason: string | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private listeners = new Set<(change: ProfileChange) => void>();
  private watcher?: FSWatcher;
  /** conf (or electron-store) on this.path, made durable; created at the first write, under the lock. */
  private backend?: DurableStore;
  /** References this process made in a session-only secret store: kept in memory, never written to the file. */
  private readonly sessionRefs = new Set<string>();
  /** Where those references belong ('host:NAME', 'forward:NAME'), to put them back on what is read from the file. */
  private readonly sessionOverlay = new Map<string, string>();

  private constructor(
    path: string,
    private readonly secrets: SecretStore,
    private readonly opts: Pick<OpenOptions, 'lock' | 'beforeRename' | 'createStore'>,
  ) {
    this.path = path;
  }

  /** Opens (creating, migrating or rescuing as needed) the store; never throws for a bad file. */
  static async open(opts: OpenOptions): Promise<ProfileRepository> {
    const dir = opts.dir ?? configDir(opts.env ?? process.env);
    const repo = new ProfileRepository(join(dir, STORE_FILE), opts.secrets, opts);
    try {
      await repo.locked((lock) => repo.syncLocked(lock));
    } catch (e) {
      const code = (e as BurrowError).code;
      if (code !== 'READ_ONLY' && code !== 'DISK_FULL') throw e;
      repo.syncReadOnly(e as BurrowError);
    }
    return repo;
  }

  // ------------------------------------------------------------ reading

  /** The whole document as it is on disk now (re-read when another process changed it). */
  /**
   * The saved document. While watch() runs (the app, `burrow web`), the cached
   * copy: the watcher and every write keep it current, so a request does not
   * re-read and hash the file. Without a watcher (the CLI), the file is checked.
   */
  document(): ProfileDocument {
    if (!this.watcher) this.syncRead();
    return structuredClone(this.doc);
  }

  listHosts(): Host[] {
    return this.document().hosts;
  }

  getHost(name: string): Host | undefined {
    return this.document().hosts.find((h) => h.name === name);
  }

  /** The host, or BurrowError NOT_FOUND naming what exists. */
  requireHost(name: string): Host {
    const h = this.getHost(name);
    if (!h)
      throw notFound(
        'host',
        name,
        this.doc.hosts.map((x) => x.name),
      );
    return h;
  }

  listForwards(filter: { group?: string; tag?: string; host?: string } = {}): Forward[] {
    return this.document().forwards.filter(
      (f) =>
        (filter.group === undefined || f.group === filter.group) &&
        (filter.tag === undefined || f.tags.includes(filter.tag)) &&
        (filter.host === undefined || f.host === filter.host),
    );
  }

  getForward(name: string): Forward | undefined {
    return this.document().forwards.find((f) => f.name === name);
  }

  requireForward(name: string): Forward {
    const f = this.getForward(name);
    if (!f)
      throw notFound(
        'forward',
        name,
        this.doc.forwards.map((x) => x.name),
      );
    return f;
  }

  getSettings(): Settings {
    return this.document().settings;
  }

  /** The stored password or passphrase of a host; null when none is kept (ask the person). */
  async hostSecret(name: string): Promise<string | null> {
    const h = this.requireHost(name);
    if (!h.auth.secretRef || !(await this.secrets.available())) return null;
    return this.secrets.get(h.auth.secretRef);
  }

  // ------------------------------------------------------------ hosts

  async addHost(input: Host, opts: SecretOption = {}): Promise<SaveResult<Host>> {
    const host = stripSecretRef(input);
    checkHostRules(host);
    return this.withSecret(host, opts, undefined, async (h) => {
      await this.mutate((doc) => {
        if (doc.hosts.some((x) => x.name === h.name))
          throw new BurrowError('CONFLICT', `A host named '${h.name}' already exists; pick another name or edit it.`);
        doc.hosts.push(h);
      });
      return h;
    });
  }

  /**
   * Replaces host `name` with `next` (which may rename it; the forwards and
   * jump lists that name it follow). The stored secret is kept while the
   * method (and key file) it was saved for stay; `opts.secret` null forgets it.
   */
  async replaceHost(name: string, next: Host, opts: SecretOption = {}): Promise<SaveResult<Host>> {
    const current = this.requireHost(name);
    const { auth } = stripSecretRef(next);
    // The stored secret belongs to the method (and key file) it was saved for: a password is no key's passphrase.
    const same = auth.method === current.auth.method && (auth.method !== 'key' || auth.keyPath === current.auth.keyPath);
    const host: Host = { ...next, auth: { ...auth, ...(current.auth.secretRef && same ? { secretRef: current.auth.secretRef } : {}) } };
    checkHostRules(host);
    return this.withSecret(host, opts, current, async (h) => {
      await this.mutate((doc) => {
        const at = doc.hosts.findIndex((x) => x.name === name);
        if (at < 0)
          throw notFound(
            'host',
            name,
            doc.hosts.map((x) => x.name),
          );
        if (h.name !== name) {
          if (doc.hosts.some((x) => x.name === h.name)) throw new BurrowError('CONFLICT', `A host named '${h.name}' already exists; pick another name.`);
          for (const f of doc.forwards) if (f.host === name) f.host = h.name;
          for (const o of doc.hosts) o.jump = o.jump.map((j) => (j === name ? h.name : j));
        }
        doc.hosts[at] = h;
      });
      return h;
    });
  }

  /** Refuses (CONFLICT) while forwards or other hosts use it. */
  async removeHost(name: string): Promise<void> {
    let ref: string | undefined;
    await this.mutate((doc) => {
      const h = doc.hosts.find((x) => x.name === name);
      if (!h)
        throw notFound(
          'host',
          name,
          doc.hosts.map((x) => x.name),
        );
      const busy = hostInUse(doc, name);
      if (busy) throw new BurrowError('CONFLICT', busy);
      ref = h.auth.secretRef;
      doc.hosts = doc.hosts.filter((x) => x.name !== name);
    });
    if (ref) await this.secrets.delete(ref).catch(() => undefined);
  }

  // ------------------------------------------------------------ forwards

  /**
   * Saves a new forward. `opts.secret` is the SOCKS password of a dynamic
   * forward with a socksUser: kept in the secret store when one is available,
   * else not kept (the saved forward then has no socksSecretRef and the
   * password is asked for when it starts). The forward arrives validated
   * (the dispatcher); the document's cross-references are checked here.
   */
  async addForward(input: Forward, opts: SecretOption = {}): Promise<Forward> {
    const f = withoutSocksRef(input);
    return this.withSocksSecret(f, opts, undefined, async (x) => {
      await this.mutate((doc) => {
        if (doc.forwards.some((y) => y.name === x.name))
          throw new BurrowError('CONFLICT', `A forward named '${x.name}' already exists; pick another name or edit it.`);
        doc.forwards.push(x);
      });
      return x;
    });
  }

  /**
   * Replaces forward `name` with `next` (which may rename it): fields left out
   * of `next` are gone. `opts.secret`: a new SOCKS password, null to forget
   * the stored one, absent to keep it.
   */
  async replaceForward(name: string, next: Forward, opts: SecretOption = {}): Promise<Forward> {
    const current = this.requireForward(name);
    const f: Forward = { ...withoutSocksRef(next), ...(current.socksSecretRef ? { socksSecretRef: current.socksSecretRef } : {}) };
    return this.withSocksSecret(f, opts, current, async (x) => {
      await this.mutate((doc) => {
        const at = doc.forwards.findIndex((y) => y.name === name);
        if (at < 0)
          throw notFound(
            'forward',
            name,
            doc.forwards.map((y) => y.name),
          );
        if (x.name !== name && doc.forwards.some((y) => y.name === x.name))
          throw new BurrowError('CONFLICT', `A forward named '${x.name}' already exists; pick another name.`);
        doc.forwards[at] = x;
      });
      return x;
    });
  }

  async removeForward(name: string): Promise<void> {
    let ref: string | undefined;
    await this.mutate((doc) => {
      const f = doc.forwards.find((x) => x.name === name);
      if (!f)
        throw notFound(
          'forward',
          name,
          doc.forwards.map((x) => x.name),
        );
      ref = f.socksSecretRef;
      doc.forwards = doc.forwards.filter((x) => x.name !== name);
    });
    if (ref) await this.secrets.delete(ref).catch(() => undefined);
  }

  /** The stored SOCKS password of a forward; null when none is kept (ask the person). */
  async forwardSecret(name: string): Promise<string | null> {
    const f = this.requireForward(name);
    if (!f.socksUser || !f.socksSecretRef || !(await this.secrets.available())) return null;
    return this.secrets.get(f.socksSecretRef);
  }

  /** Whether passwords can be kept on this machine (false for the CLI and Linux basic_text). */
  secretsAvailable(): Promise<boolean> {
    return this.secrets.available();
  }

  // ------------------------------------------------------------ settings

  /** Changes the settings given (validated by the dispatcher); the others stay. */
  async updateSettings(patch: Partial<Settings>): Promise<Settings> {
    let out!: Settings;
    await this.mutate((doc) => {
      out = { ...doc.settings, ...patch };
      doc.settings = out;
    });
    return out;
  }

  // ------------------------------------------------------------ import

  /** Merges hosts and forwards by name (see merge.ts); with dryRun only reports. Secrets are never imported. */
  async importProfiles(incoming: Incoming, opts: MergeOptions & { dryRun?: boolean } = {}): Promise<ImportReport> {
    if (opts.dryRun) return { items: mergeInto(this.document(), incoming, opts).items, applied: false };
    let items!: ImportReport['items'];
    const dropped: string[] = [];
    await this.mutate((doc) => {
      dropped.length = 0; // a redo starts over
      const r = mergeInto(doc, incoming, opts);
      items = r.items;
      const kept = new Set(r.next.forwards.map((f) => f.socksSecretRef).filter(Boolean));
      for (const f of doc.forwards) if (f.socksSecretRef && !kept.has(f.socksSecretRef)) dropped.push(f.socksSecretRef);
      doc.hosts = r.next.hosts;
      doc.forwards = r.next.forwards;
    });
    // SOCKS passwords of logins an import replaced are no longer used.
    for (const ref of dropped) await this.secrets.delete(ref).catch(() => undefined);
    return { items, applied: true };
  }

  // ------------------------------------------------------------ change events

  /** Called after every change, ours or another process's (see watch()). Returns the unsubscribe function. */
  subscribe(listener: (change: ProfileChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Watches the file for other processes' writes and notifies subscribers. Returns the stop function. */
  watch(): () => void {
    if (!this.watcher) {
      let timer: NodeJS.Timeout | undefined;
      this.watcher = fsWatch(dirname(this.path), { persistent: false }, (_event, file) => {
        if (file && file !== basename(this.path)) return;
        clearTimeout(timer);
        timer = setTimeout(() => this.refresh(), 50);
      });
      this.watcher.on('error', () => undefined);
    }
    return () => this.close();
  }

  /** Re-reads the file if it changed; true when it had. */
  refresh(): boolean {
    const before = this.hash;
    this.syncRead();
    return before !== this.hash;
  }

  close(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }

  // ------------------------------------------------------------ internals

  private emit(source: ProfileChange['source']): void {
    const document = structuredClone(this.doc);
    for (const l of this.listeners) {
      try {
        l({ source, document });
      } catch {
        /* a listener's failure is its own */
      }
    }
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.chain.then(fn, fn);
    this.chain = p.catch(() => undefined);
    return p;
  }

  /**
   * Runs `fn` under the file lock, one at a time in this process; again, on
   * the file as it is then, when the write found the lock taken over or the
   * file changed. File system errors become what a person is told.
   */
  private locked<T>(fn: (lock: HeldLock) => Promise<T>): Promise<T> {
    return this.serial(async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await withFileLock(this.path, fn, this.opts.lock);
        } catch (e) {
          if (!(e instanceof LockLost || e instanceof ChangedMeanwhile)) throw isFsError(e) ? writeFailure(e, this.path) : e;
          if (attempt >= MAX_REDO)
            throw new BurrowError('CONFLICT', `The profile file ${this.path} kept changing while this change was being saved; nothing was changed. Try again.`);
        }
      }
    });
  }

  /** Applies `change` to the document as it is on disk, under the lock, and writes it. */
  private mutate(change: (doc: ProfileDocument) => void): Promise<void> {
    return this.locked(async (lock) => {
      await this.syncLocked(lock);
      if (this.readOnlyReason) throw new BurrowError('CONFLICT', this.readOnlyReason);
      const draft = structuredClone(this.doc);
      change(draft);
      // Each entry was validated where it came in (the dispatcher, an import's merge); what joins them is checked here.
      checkReferences(draft);
      await this.write(draft, lock, this.hash ?? null);
      this.emit('local');
    });
  }

  /**
   * Replaces the file with `doc`, provided it still holds what this process
   * read (`expected`, its hash) and the lock is still ours at that moment.
   */
  private async write(doc: ProfileDocument, lock: HeldLock, expected: string | null): Promise<void> {
    this.backend ??= await openDurableStore(this.opts.createStore ?? createConfStore, this.path, STORE_NAME);
    const written = this.backend.write(
      { ...this.other, ...this.forDisk(doc) },
      {
        beforeRename: () => {
          this.opts.beforeRename?.();
          lock.assertHeld();
          if (readRaw(this.path).hash !== expected) throw new ChangedMeanwhile();
        },
      },
    );
    this.doc = doc;
    this.hash = hashOf(written);
  }

  /**
   * The document as the shared file gets it: without references into a
   * session-only secret store (the file must not claim a secret that the app's
   * or the CLI's store does not hold). They are remembered in sessionOverlay.
   */
  private forDisk(doc: ProfileDocument): ProfileDocument {
    if (this.sessionRefs.size === 0) return doc;
    this.sessionOverlay.clear();
    const out = structuredClone(doc);
    for (const h of out.hosts) {
      if (h.auth.secretRef && this.sessionRefs.has(h.auth.secretRef)) {
        this.sessionOverlay.set(`host:${h.name}`, h.auth.secretRef);
        delete h.auth.secretRef;
      }
    }
    for (const f of out.forwards) {
      if (f.socksSecretRef && this.sessionRefs.has(f.socksSecretRef)) {
        this.sessionOverlay.set(`forward:${f.name}`, f.socksSecretRef);
        delete f.socksSecretRef;
      }
    }
    return out;
  }

  /** A document read from the file, with this session's secret references put back where they still apply. */
  private withSession(doc: ProfileDocument): ProfileDocument {
    if (this.sessionOverlay.size === 0) return doc;
    for (const h of doc.hosts) {
      const ref = this.sessionOverlay.get(`host:${h.name}`);
      if (ref && !h.auth.secretRef && usesSecret(h)) h.auth.secretRef = ref;
    }
    for (const f of doc.forwards) {
      const ref = this.sessionOverlay.get(`forward:${f.name}`);
      if (ref && !f.socksSecretRef && f.kind === 'dynamic' && f.socksUser !== undefined) f.socksSecretRef = ref;
    }
    return doc;
  }

  /** Outside the lock: pick up a valid current-version file; leave repairs to the next locked pass. */
  private syncRead(): void {
    let raw;
    try {
      raw = readRaw(this.path);
    } catch {
      return;
    }
    if (raw.hash === this.hash) return;
    if (raw.text === null) {
      this.set(emptyDocument(), {}, raw.hash);
      return;
    }
    const parsed = parseLenient(raw.text);
    if (!parsed || parsed.repaired || parsed.damage || !isObject(parsed.value) || versionOf(parsed.value) !== SCHEMA_VERSION) return;
    const { ours, other } = split(parsed.value);
    const r = ProfileDocumentSchema.safeParse(ours);
    if (r.success) this.set(r.data, other, raw.hash);
  }

  private set(doc: ProfileDocument, other: Record<string, unknown>, hash: string | null): void {
    const external = this.hash !== undefined;
    this.doc = this.withSession(doc);
    this.other = other;
    this.hash = hash;
    if (external) this.emit('external');
  }

  /** Under the lock: read the file, rescue, migrate or reload as needed, writing the result back. */
  private async syncLocked(lock: HeldLock): Promise<void> {
    removeOrphanTemps(this.path);
    const raw = readRaw(this.path);
    if (raw.hash === this.hash) return;
    const seenBefore = this.hash !== undefined;
    if (raw.text === null) {
      this.set(emptyDocument(), {}, null);
      return;
    }
    const parsed = parseLenient(raw.text);
    let value: Record<string, unknown> = parsed && isObject(parsed.value) ? parsed.value : {};
    let needsWrite = false;
    let corrupt: string | null = !parsed
      ? 'it is not readable JSON'
      : parsed.repaired
        ? 'it was damaged JSON'
        : parsed.damage
          ? `it is damaged: ${parsed.damage}`
          : !isObject(parsed.value)
            ? 'it is not a JSON object'
            : null;

    const version = versionOf(value);
    if (!corrupt && version === null)
      corrupt = `its schemaVersion is ${Object.hasOwn(value, 'schemaVersion') ? `not a version number (${JSON.stringify(value.schemaVersion)})` : 'missing'}`;
    this.readOnlyReason = null;
    if (!corrupt && version !== null && version > SCHEMA_VERSION) {
      this.readOnlyReason = `The profile file ${this.path} was written by a newer Burrow (schema version ${version}; this one knows ${SCHEMA_VERSION}). Update Burrow to change profiles; nothing was written.`;
      this.warnings.push({ code: 'STORE_NEWER', message: this.readOnlyReason });
      const { other } = split(value);
      this.set(recoverDocument(value).doc, other, raw.hash);
      return;
    }
    if (!corrupt && version !== null && version < SCHEMA_VERSION) {
      const m = migrate(value, { newSecretRef });
      const stored = await this.storeMigratedSecrets(m);
      value = stored.doc;
      needsWrite = true;
      this.warnings.push({
        code: 'STORE_MIGRATED',
        message: `Updated the profile file ${this.path} from schema version ${m.from} to ${SCHEMA_VERSION}.${[...m.notes, ...stored.notes].map((n) => ` ${n}`).join('')}`,
      });
    }
    const { ours, other } = split(value);
    let doc: ProfileDocument;
    const r = ProfileDocumentSchema.safeParse(ours);
    if (r.success && !corrupt) doc = r.data;
    else {
      if (!r.success && !corrupt) corrupt = `it does not match the profile schema (${r.error.issues[0].message})`;
      const rec = recoverDocument(ours);
      doc = rec.doc;
      const movedTo = keepAside(this.path, raw.bytes!);
      const kept = `${doc.hosts.length} host(s) and ${doc.forwards.length} forward(s) were recovered`;
      const lost = rec.dropped.length ? `; not recovered: ${rec.dropped.join('; ')}` : '';
      this.warnings.push({
        code: 'STORE_CORRUPT',
        movedTo,
        message: `The profile file ${this.path} could not be read (${corrupt}). It was moved to ${movedTo}; ${kept}${lost}. Compare the two if something is missing.`,
      });
      needsWrite = true;
    }
    if (needsWrite) {
      this.other = other;
      await this.write(this.withSession(doc), lock, raw.hash);
      if (seenBefore) this.emit('external');
    } else this.set(doc, other, raw.hash);
  }

  /**
   * Opening when the file cannot be written (a read-only folder, a full disk):
   * what can be read is shown, nothing is written. A file that needed a
   * repair is left as it is (and repaired by the first pass that can write).
   */
  private syncReadOnly(problem: BurrowError): void {
    let raw;
    try {
      raw = readRaw(this.path);
    } catch (e) {
      this.warnings.push({
        code: 'STORE_CORRUPT',
        message: `The profile file ${this.path} cannot be read (${(e as NodeJS.ErrnoException).code}); starting empty, nothing was changed.`,
      });
      this.set(emptyDocument(), {}, NEEDS_REPAIR);
      return;
    }
    if (raw.text === null) {
      this.set(emptyDocument(), {}, null);
      return;
    }
    const parsed = parseLenient(raw.text);
    let value: Record<string, unknown> = parsed && isObject(parsed.value) ? parsed.value : {};
    const version = versionOf(value);
    if (version !== null && version > SCHEMA_VERSION) {
      this.readOnlyReason = `The profile file ${this.path} was written by a newer Burrow (schema version ${version}; this one knows ${SCHEMA_VERSION}). Update Burrow to change profiles; nothing was written.`;
      this.warnings.push({ code: 'STORE_NEWER', message: this.readOnlyReason });
    }
    const readable = !!parsed && !parsed.repaired && isObject(parsed.value) && version !== null;
    if (readable && version! < SCHEMA_VERSION) value = migrate(value, { newSecretRef }).doc;
    const { ours, other } = split(value);
    const rec = recoverDocument(ours);
    const clean = readable && version === SCHEMA_VERSION && ProfileDocumentSchema.safeParse(ours).success;
    if (!clean && !this.readOnlyReason) {
      this.warnings.push({
        code: 'STORE_CORRUPT',
        message: `The profile file ${this.path} needs a repair or an update that cannot be written now (${problem.message}) Showing what could be read (${rec.doc.hosts.length} host(s), ${rec.doc.forwards.length} forward(s)); the file was left as it is.`,
      });
    }
    this.set(rec.doc, other, clean ? raw.hash : NEEDS_REPAIR);
  }

  private async storeMigratedSecrets(m: ReturnType<typeof migrate>): Promise<{ doc: Record<string, unknown>; notes: string[] }> {
    if (m.secrets.length === 0) return { doc: m.doc, notes: [] };
    const notes: string[] = [];
    // A session-only store would lose them when this process ends: that is no place to move them to.
    const available = !this.secrets.sessionOnly && (await this.secrets.available());
    const kept = new Set<string>();
    for (const s of m.secrets) {
      if (available) {
        try {
          await this.secrets.set(s.ref, s.value);
          kept.add(s.ref);
          notes.push(`The password of ${s.subject} moved from the file to the secret store.`);
          continue;
        } catch {
          /* fall through */
        }
      }
      notes.push(
        `The password of ${s.subject} was removed from the file (no ${this.secrets.sessionOnly ? 'lasting ' : ''}secret store here); you will be asked for it.`,
      );
    }
    const hosts = Array.isArray(m.doc.hosts) ? (m.doc.hosts as Array<{ auth?: { secretRef?: string } }>) : [];
    for (const h of hosts) if (h.auth?.secretRef && !kept.has(h.auth.secretRef)) delete h.auth.secretRef;
    return { doc: m.doc, notes };
  }

  /**
   * Saves forward `f` (via `save`) with its SOCKS password handled: stored by
   * reference, forgotten when the forward no longer has a SOCKS login (or on
   * secret null), or not kept at all when no store is available.
   */
  private async withSocksSecret(f: Forward, opts: SecretOption, previous: Forward | undefined, save: (f: Forward) => Promise<Forward>): Promise<Forward> {
    const oldRef = previous?.socksSecretRef;
    const login = f.kind === 'dynamic' && f.socksUser !== undefined;
    let out: Forward = { ...f };
    delete out.socksSecretRef;
    let toDelete: string | undefined;
    let newRef: string | undefined;
    if (!login || opts.secret === null) {
      toDelete = oldRef;
    } else if (typeof opts.secret === 'string' && (await this.secrets.available())) {
      const ref = oldRef ?? newForwardSecretRef();
      await this.secrets.set(ref, opts.secret);
      if (!oldRef) newRef = ref;
      if (newRef && this.secrets.sessionOnly) this.sessionRefs.add(newRef);
      out = { ...out, socksSecretRef: ref };
    } else if (typeof opts.secret === 'string') {
      // No safe store: the password is not kept, and a stored one (from before) is stale.
      toDelete = oldRef;
    } else if (oldRef) {
      out = { ...out, socksSecretRef: oldRef };
    }
    try {
      const value = await save(out);
      if (toDelete) await this.secrets.delete(toDelete).catch(() => undefined);
      return value;
    } catch (e) {
      if (newRef) await this.secrets.delete(newRef).catch(() => undefined);
      throw e;
    }
  }

  /** Saves `host` (via `save`) with its secret handled: stored by reference, or not at all when no store is available. */
  private async withSecret(host: Host, opts: SecretOption, previous: Host | undefined, save: (h: Host) => Promise<Host>): Promise<SaveResult<Host>> {
    const warnings: RepositoryWarning[] = [];
    const oldRef = previous?.auth.secretRef;
    let h = host;
    let toDelete: string | undefined;
    let newRef: string | undefined;
    if (!usesSecret(h) || opts.secret === null) {
      // No secret for this method (agent, keyboard-interactive), or asked to forget it.
      if (h.auth.secretRef) h = { ...h, auth: { ...h.auth, secretRef: undefined } };
      delete h.auth.secretRef;
      toDelete = oldRef;
    } else if (typeof opts.secret === 'string' && opts.secret !== '') {
      if (await this.secrets.available()) {
        const ref = oldRef ?? newSecretRef();
        await this.secrets.set(ref, opts.secret);
        if (!oldRef) newRef = ref;
        if (newRef && this.secrets.sessionOnly) this.sessionRefs.add(newRef);
        h = { ...h, auth: { ...h.auth, secretRef: ref } };
      } else {
        warnings.push({
          code: 'SECRET_NOT_STORED',
          message: `No safe secret store is available here, so the ${h.auth.method === 'key' ? 'key passphrase' : 'password'} of host '${h.name}' was not saved; it will be asked for at each connection.`,
        });
      }
    }
    // A reference the saved host no longer holds (its method or key file changed) is an orphan: forget its value.
    if (oldRef && h.auth.secretRef !== oldRef) toDelete = oldRef;
    try {
      const value = await save(h);
      if (toDelete) await this.secrets.delete(toDelete).catch(() => undefined);
      return { value, warnings };
    } catch (e) {
      if (newRef) await this.secrets.delete(newRef).catch(() => undefined);
      throw e;
    }
  }
}

function newSecretRef(): string {
  return `burrow:host:${randomUUID()}`;
}

function newForwardSecretRef(): string {
  return `burrow:forward:${randomUUID()}`;
}

/** The SOCKS password's reference is set by the repository only, never taken from input. */
function withoutSocksRef<T extends object>(input: T): T {
  if (!('socksSecretRef' in input)) return input;
  const { socksSecretRef: _drop, ...rest } = input as T & { socksSecretRef?: unknown };
  return rest as T;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** Secret references are set by the repository only, never taken from input. */
function stripSecretRef<T extends { auth?: unknown }>(input: T): T {
  if (!isObject(input.auth) || !('secretRef' in input.auth)) return input;
  const { secretRef: _drop, ...auth } = input.auth;
  return { ...input, auth };
}

function notFound(kind: 'host' | 'forward', name: string, existing: string[]): BurrowError {
  const known = existing.length ? ` Saved ${kind}s: ${existing.join(', ')}.` : ` There are no saved ${kind}s yet.`;
  return new BurrowError('NOT_FOUND', `No ${kind} named '${name}'.${known}`);
}
