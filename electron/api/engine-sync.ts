// Keeps the engine's forwards in step with the saved profiles: the forward's
// name is its engine id. New ones are added, stopped ones take their new
// definition, removed ones are stopped and dropped. A running forward keeps
// running with the definition it was started with until it is restarted.
import { isDeepStrictEqual } from 'node:util';
import type { Host, ProfileDocument } from '../../shared/model';
import type { ProfileRepository } from '../profiles/repository';
import { toEngineForward } from '../profiles/to-engine';
import type { TunnelEngine } from '../tunnels/engine';

export interface SyncReport {
  added: string[];
  updated: string[];
  removed: string[];
  /** Forwards whose saved definition could not be turned into an engine forward, and why. */
  problems: { name: string; message: string }[];
}

async function storedPasswords(repo: ProfileRepository, hosts: Host[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const h of hosts) {
    if (h.auth.method !== 'password' || !h.auth.secretRef) continue;
    const pw = await repo.hostSecret(h.name).catch(() => null);
    if (pw !== null) out.set(h.name, pw);
  }
  return out;
}

export async function syncEngine(engine: TunnelEngine, repo: ProfileRepository, doc: ProfileDocument = repo.document()): Promise<SyncReport> {
  const report: SyncReport = { added: [], updated: [], removed: [], problems: [] };
  const passwords = await storedPasswords(repo, doc.hosts);
  const lookup = (name: string) => doc.hosts.find((h) => h.name === name);
  const saved = new Set<string>();
  for (const f of doc.forwards) {
    saved.add(f.name);
    let ef;
    try {
      ef = toEngineForward(f, { lookup, settings: doc.settings, passwords });
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
