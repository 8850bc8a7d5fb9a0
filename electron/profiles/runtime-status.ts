// What is running right now, for `burrow ls`: each process that runs saved
// forwards (the desktop app, `burrow web`) publishes a small status file next
// to the profiles, running/<pid>-<kind>.json, with its pid and the state of
// each forward it runs. It is rewritten atomically (temporary file + rename; no
// fsync: it means nothing after a crash) on every state change, private to the
// user (0600 in a 0700 folder), and removed on a clean exit. A file whose process is gone
// (or whose pid now belongs to another process) is stale: readers ignore it and
// remove it.
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { own } from '../../shared/own-property';
import {
  boundOf,
  destinationFailing,
  destinationUntried,
  stateReason,
  type BoundAddress,
  type ForwardState,
  type ForwardStateName,
} from '../../shared/tunnel-state';
import { readBounded } from '../tunnels/bounded-read';
import { writeFileDurable } from './durable-write';
import { pidAlive, processStartId } from './process-identity';

export { pidAlive, processStartId };

export const RUNNING_DIR = 'running';

export type PublisherKind = 'desktop' | 'web' | 'cli';

export interface PublishedForward {
  state: ForwardStateName;
  reason?: string;
  attempt?: number;
  nextAttemptAt?: number;
  destinationFailing?: boolean;
  /** Active, and nothing has reached its destination yet. */
  destinationUntried?: boolean;
  /** Where it listens ("127.0.0.1:1100", "server localhost:40123", a socket path). */
  bound?: string;
}

export interface RuntimeStatus {
  pid: number;
  kind: PublisherKind;
  /** Tells a live process from a later one that reuses its pid (Linux: the start time in /proc). */
  startId?: string;
  updatedAt: number;
  /** Forwards that are not stopped, by saved name. */
  forwards: Record<string, PublishedForward>;
}

export function runningDir(configDir: string): string {
  return join(configDir, RUNNING_DIR);
}

function describeBound(b: BoundAddress | undefined): string | undefined {
  if (!b) return undefined;
  return 'path' in b ? b.path : `${b.host}:${b.port}`;
}

export class RuntimeStatusPublisher {
  readonly file: string;
  private readonly startId = processStartId(process.pid);
  private closed = false;

  constructor(
    private readonly configDir: string,
    private readonly kind: PublisherKind,
    private readonly pid = process.pid,
  ) {
    this.file = join(runningDir(configDir), `${pid}-${kind}.json`);
  }

  /** Writes the current states (only forwards that are not stopped); atomically. */
  publish(states: Iterable<[name: string, state: ForwardState]>): void {
    if (this.closed) return;
    const forwards: Record<string, PublishedForward> = {};
    for (const [name, s] of states) {
      if (s.state === 'stopped') continue;
      const reason = stateReason(s);
      const bound = boundOf(s);
      forwards[name] = {
        state: s.state,
        ...(reason ? { reason: reason.message } : {}),
        ...(s.state === 'reconnecting' && s.attempt !== undefined ? { attempt: s.attempt } : {}),
        ...(s.state === 'reconnecting' && s.nextAttemptAt !== undefined ? { nextAttemptAt: s.nextAttemptAt } : {}),
        ...(destinationFailing(s) ? { destinationFailing: true } : {}),
        ...(destinationUntried(s) ? { destinationUntried: true } : {}),
        ...(bound ? { bound: describeBound(bound) } : {}),
      };
    }
    const status: RuntimeStatus = { pid: this.pid, kind: this.kind, ...(this.startId ? { startId: this.startId } : {}), updatedAt: Date.now(), forwards };
    try {
      writeFileDurable(this.file, JSON.stringify(status), { durable: false });
    } catch {
      /* a status file is a courtesy to `burrow ls`: never fail a tunnel over it */
    }
  }

  /** Removes the file (a clean exit); later publish() calls do nothing. */
  remove(): void {
    this.closed = true;
    rmSync(this.file, { force: true });
  }
}

export interface ReadOptions {
  isAlive?: (pid: number) => boolean;
  startIdOf?: (pid: number) => string | undefined;
  /** Remove the files of processes that are gone (default true). */
  cleanUp?: boolean;
}

/** The most a status file is read to: one of 10,000 forwards takes about 2 MB. */
const STATUS_MAX_BYTES = 16 * 1024 * 1024;

/** The statuses of processes that are alive; stale and unreadable files are skipped (and stale ones removed). */
export function readRuntimeStatuses(configDir: string, opts: ReadOptions = {}): RuntimeStatus[] {
  const isAlive = opts.isAlive ?? pidAlive;
  const startIdOf = opts.startIdOf ?? processStartId;
  const dir = runningDir(configDir);
  let all: string[];
  try {
    all = readdirSync(dir);
  } catch {
    return [];
  }
  if (opts.cleanUp !== false) {
    // Temporary files of a publisher killed mid-write (<pid>-<kind>.json.tmp-<pid>-<random>).
    for (const n of all) {
      const m = /^\d+-[a-z]+\.json\.tmp-(\d+)-[0-9a-f]+$/.exec(n);
      if (m && !isAlive(Number(m[1]))) removeQuietly(join(dir, n));
    }
  }
  const names = all.filter((n) => /^\d+-[a-z]+\.json$/.test(n));
  const out: RuntimeStatus[] = [];
  for (const name of names) {
    const file = join(dir, name);
    let s: RuntimeStatus;
    try {
      // Bounded and never waiting: a damaged file, or a FIFO under a status file's name, must not hold up `burrow ls`.
      s = JSON.parse(readBounded(file, STATUS_MAX_BYTES).toString('utf8')) as RuntimeStatus;
      if (typeof s.pid !== 'number' || !s.forwards || typeof s.forwards !== 'object') continue;
    } catch {
      continue;
    }
    const current = s.startId !== undefined ? startIdOf(s.pid) : undefined;
    const stale = !isAlive(s.pid) || (s.startId !== undefined && current !== undefined && current !== s.startId);
    if (stale) {
      if (opts.cleanUp !== false) removeQuietly(file);
      continue;
    }
    out.push(s);
  }
  return out.sort((a, b) => a.pid - b.pid);
}

/** A reader may lack write access (a read-only profile folder): cleaning up is a courtesy. */
function removeQuietly(file: string): void {
  try {
    rmSync(file, { force: true });
  } catch {
    /* left for a writer */
  }
}

/** Which live process runs (or last failed) a forward, and how. */
export function runtimeOf(statuses: RuntimeStatus[], forward: string): { status: RuntimeStatus; forward: PublishedForward } | undefined {
  const found = statuses.flatMap((status) => {
    const published = own(status.forwards, forward);
    return published ? [{ status, forward: published }] : [];
  });
  // A process that runs it wins over one where it failed.
  return found.find((x) => x.forward.state !== 'failed') ?? found[0];
}
