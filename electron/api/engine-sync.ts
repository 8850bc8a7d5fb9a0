// Keeps the engine's forwards in step with the saved profiles: the forward's
// name is its engine id. New ones are added, stopped ones take their new
// definition, removed ones are stopped and dropped. A running forward keeps
// running with the definition it was started with until it is restarted.
// A SOCKS login's password is read from the secret store by startSaved() when
// the forward starts (asked for through the prompter when none is stored), and
// kept only while the forward runs.
import { isDeepStrictEqual } from 'node:util';
import { BurrowError } from '../../shared/errors';
import { socksPasswordProblem, type ProfileDocument } from '../../shared/model';
import type { ProfileRepository } from '../profiles/repository';
import { needsSocksPassword, toEngineForward } from '../profiles/to-engine';
import type { TunnelEngine } from '../tunnels/engine';
import { isRunning } from '../../shared/tunnel-state';
import type { ForwardState, Prompter } from '../tunnels/types';

export interface SyncReport {
  added: string[];
  updated: string[];
  removed: string[];
  /** Forwards whose saved definition could not be turned into an engine forward, and why. */
  problems: { name: string; message: string }[];
}

export async function syncEngine(engine: TunnelEngine, repo: ProfileRepository, doc: ProfileDocument = repo.document()): Promise<SyncReport> {
  const report: SyncReport = { added: [], updated: [], removed: [], problems: [] };
  const lookup = (name: string) => doc.hosts.find((h) => h.name === name);
  const saved = new Set<string>();
  for (const f of doc.forwards) {
    saved.add(f.name);
    let ef;
    try {
      ef = toEngineForward(f, { lookup, settings: doc.settings });
    } catch (e) {
      report.problems.push({ name: f.name, message: (e as Error).message });
      continue;
    }
    if (!engine.has(f.name)) {
      engine.add(f.name, ef.host, ef.spec);
      report.added.push(f.name);
      continue;
    }
    const cur = engine.get(f.name);
    if (isDeepStrictEqual(cur.host, ef.host) && isDeepStrictEqual(cur.spec, ef.spec)) continue;
    const s = cur.state.state;
    if (s === 'stopped' || s === 'failed') {
      engine.update(f.name, ef.host, ef.spec);
      report.updated.push(f.name);
    }
  }
  for (const info of engine.list()) {
    if (saved.has(info.id)) continue;
    await engine.remove(info.id);
    report.removed.push(info.id);
  }
  return report;
}

export interface EngineSyncer {
  /**
   * Resolves once the engine holds every saved change made so far. Cheap when
   * nothing changed: no file read, no secret fetched.
   */
  synced(): Promise<SyncReport>;
  dispose(): void;
}

/**
 * Keeps the engine in step from the repository's change events (this
 * process's writes and other processes'), one sync at a time, instead of
 * re-reading the profiles before every request. A forward that stops is synced
 * again too: it takes a definition that changed while it ran, and drops a
 * SOCKS password that was asked for only for that run.
 */
export function engineSyncer(engine: TunnelEngine, repo: ProfileRepository): EngineSyncer {
  let version = 1; // the first sync is due
  let done = 0;
  let report: SyncReport = { added: [], updated: [], removed: [], problems: [] };
  let run: Promise<SyncReport> | null = null;
  const due = () => void version++;
  const stopped = (_id: string, s: ForwardState) => {
    if (!isRunning(s.state)) due();
  };
  const off = repo.subscribe(due);
  engine.on('state', stopped);
  const stale = () => done < version;
  const loop = async (): Promise<SyncReport> => {
    try {
      while (stale()) {
        const v = version;
        report = await syncEngine(engine, repo);
        done = v;
      }
      return report;
    } finally {
      run = null;
    }
  };
  const synced = (): Promise<SyncReport> => {
    if (run) return run.then(synced);
    if (!stale()) return Promise.resolve(report);
    run = loop();
    return run;
  };
  return {
    synced,
    dispose() {
      off();
      engine.off('state', stopped);
    },
  };
}

/** SOCKS password questions in flight, per engine and forward: a second start joins the first. */
const asking = new WeakMap<TunnelEngine, Map<string, Promise<void>>>();

export interface StartOptions {
  /** Where a stored SOCKS password is read, when the forward starts. */
  repo?: Pick<ProfileRepository, 'forwardSecret'>;
  /** Asks for a SOCKS password that is not stored. */
  prompter?: Prompter;
  /** A SOCKS password given with the request (used when it could not be stored). */
  socksPassword?: string;
}

/**
 * Starts a forward the engine already knows (see syncEngine), first supplying
 * the password of its SOCKS login: the stored one (read only now), else asked for.
 */
export async function startSaved(engine: TunnelEngine, name: string, opts: StartOptions = {}): Promise<void> {
  const info = engine.get(name);
  if (!isRunning(info.state.state) && needsSocksPassword(info.spec)) {
    let pending = asking.get(engine)?.get(name);
    if (!pending) {
      const byName = asking.get(engine) ?? new Map<string, Promise<void>>();
      asking.set(engine, byName);
      pending = supplySocksPassword(engine, name, opts).finally(() => byName.delete(name));
      byName.set(name, pending);
    }
    await pending;
  }
  await engine.start(name);
}

async function supplySocksPassword(engine: TunnelEngine, name: string, opts: StartOptions): Promise<void> {
  const username = engine.get(name).spec.socksAuth!.username;
  const password =
    opts.socksPassword ??
    (await opts.repo?.forwardSecret(name).catch(() => null)) ??
    (await opts.prompter?.secret({
      kind: 'password',
      subject: `SOCKS user ${username} (forward ${name})`,
      prompt: `Password for SOCKS user '${username}' of forward '${name}':`,
    })) ??
    null;
  if (password === null || password === '') {
    throw new BurrowError('AUTH_FAILED', `Forward '${name}' needs the password of its SOCKS user '${username}', and none was given; it was not started.`);
  }
  const problem = socksPasswordProblem(password);
  if (problem) throw new BurrowError('VALIDATION', `Forward '${name}': ${problem}`);
  // The definition may have changed while the person typed: use the current one.
  const now = engine.get(name);
  if (isRunning(now.state.state) || !needsSocksPassword(now.spec)) return;
  if (now.spec.socksAuth?.username !== username) {
    throw new BurrowError('CONFLICT', `The SOCKS user of forward '${name}' changed while its password was asked for; start it again.`);
  }
  engine.update(name, now.host, { ...now.spec, socksAuth: { username, password } });
}
