// Merging incoming hosts and forwards (a JSON import, an ssh_config import)
// into the saved document by name, with a report line for each entry:
// added, already there, in conflict (kept as saved), replaced, or skipped and why.
import { isDeepStrictEqual } from 'node:util';
import type { ImportItem } from '../../shared/contract';

export type { ImportItem };
import { ForwardSchema, HostSchema, referenceProblems, type Forward, type Host, type ProfileDocument } from '../../shared/model';
import { hostProblems } from './host-rules';

export interface ImportReport {
  items: ImportItem[];
  /** False for a dry run. */
  applied: boolean;
}

export interface Incoming {
  hosts: unknown[];
  forwards: unknown[];
  /** Entries the source already knows it cannot import (e.g. ssh_config Match blocks). */
  skipped?: ImportItem[];
}

export interface MergeOptions {
  /** Replace saved entries whose content differs (default: keep them and report a conflict). */
  replace?: boolean;
}

function nameOf(v: unknown, kind: string, i: number): string {
  const n = (v as { name?: unknown } | null)?.name;
  return typeof n === 'string' && n ? n : `${kind} #${i + 1}`;
}

/** Fields that belong to this machine's secret store, not to the data. */
function withoutSecretRef(h: Host): Host {
  if (!h.auth.secretRef) return h;
  const { secretRef: _drop, ...auth } = h.auth;
  return { ...h, auth };
}

/** The same for a forward's SOCKS password reference. */
function withoutSocksRef(f: Forward): Forward {
  if (!f.socksSecretRef) return f;
  const { socksSecretRef: _drop, ...rest } = f;
  return rest;
}

function differences(a: object, b: object): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => !isDeepStrictEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Computes the merged document and the report; pure. */
export function mergeInto(doc: ProfileDocument, incoming: Incoming, opts: MergeOptions = {}): { next: ProfileDocument; items: ImportItem[] } {
  const items: ImportItem[] = [...(incoming.skipped ?? [])];
  const hosts = [...doc.hosts];
  const forwards = [...doc.forwards];
  const added = new Map<string, ImportItem>();

  incoming.hosts.forEach((raw, i) => {
    const name = nameOf(raw, 'host', i);
    const r = HostSchema.safeParse(raw);
    if (!r.success) return items.push({ kind: 'host', name, action: 'skip', reason: r.error.issues.map((x) => x.message).join(' ') });
    const broken = hostProblems(r.data);
    if (broken.length) return items.push({ kind: 'host', name, action: 'skip', reason: broken.map((x) => x.message).join(' ') });
    const h = withoutSecretRef(r.data);
    const at = hosts.findIndex((x) => x.name === h.name);
    if (at < 0) {
      hosts.push(h);
      const item: ImportItem = { kind: 'host', name, action: 'add', reason: `${h.user ? `${h.user}@` : ''}${h.hostname}:${h.port}` };
      added.set(`host:${name}`, item);
      return items.push(item);
    }
    const saved = withoutSecretRef(hosts[at]);
    if (isDeepStrictEqual(saved, h)) return items.push({ kind: 'host', name, action: 'exists' });
    const diff = differences(saved, h);
    if (!opts.replace)
      return items.push({ kind: 'host', name, action: 'conflict', reason: `a saved host of that name differs in ${diff.join(', ')}; kept the saved one` });
    // Keep this machine's secret reference when replacing.
    hosts[at] = {
      ...h,
      auth: hosts[at].auth.method === h.auth.method && hosts[at].auth.secretRef ? { ...h.auth, secretRef: hosts[at].auth.secretRef } : h.auth,
    };
    items.push({ kind: 'host', name, action: 'replace', reason: `changed ${diff.join(', ')}` });
  });

  incoming.forwards.forEach((raw, i) => {
    const name = nameOf(raw, 'forward', i);
    const r = ForwardSchema.safeParse(raw);
    if (!r.success) return items.push({ kind: 'forward', name, action: 'skip', reason: r.error.issues.map((x) => x.message).join(' ') });
    // A reference into this machine's secret store never comes from outside.
    const f: Forward = withoutSocksRef(r.data);
    const at = forwards.findIndex((x) => x.name === f.name);
    if (at < 0) {
      forwards.push(f);
      const item: ImportItem = { kind: 'forward', name, action: 'add', reason: `via ${f.host}` };
      added.set(`forward:${name}`, item);
      return items.push(item);
    }
    const savedForward = withoutSocksRef(forwards[at]);
    if (isDeepStrictEqual(savedForward, f)) return items.push({ kind: 'forward', name, action: 'exists' });
    const diff = differences(savedForward, f);
    if (!opts.replace)
      return items.push({
        kind: 'forward',
        name,
        action: 'conflict',
        reason: `a saved forward of that name differs in ${diff.join(', ')}; kept the saved one`,
      });
    // Keep this machine's SOCKS password when the login stays the same.
    const keepRef = forwards[at].socksSecretRef && f.kind === 'dynamic' && f.socksUser === forwards[at].socksUser;
    forwards[at] = keepRef ? { ...f, socksSecretRef: forwards[at].socksSecretRef } : f;
    items.push({ kind: 'forward', name, action: 'replace', reason: `changed ${diff.join(', ')}` });
  });

  // Entries that break references (a forward through a skipped host, a jump
  // through a host that is nowhere) are skipped, one at a time, until consistent.
  let next = { ...doc, hosts, forwards };
  for (let guard = 0; guard < 10_000; guard++) {
    const problem = referenceProblems(next)[0];
    if (!problem) break;
    const [list, index] = problem.path as ['hosts' | 'forwards', number];
    const entry = next[list][index];
    const kind = list === 'hosts' ? 'host' : 'forward';
    const item = added.get(`${kind}:${entry.name}`);
    if (!item) {
      // A saved entry is inconsistent on its own: leave the document as it was.
      return {
        next: doc,
        items: [...items.filter((x) => x.action !== 'add' && x.action !== 'replace'), { kind, name: entry.name, action: 'skip', reason: problem.message }],
      };
    }
    item.action = 'skip';
    item.reason = problem.message;
    added.delete(`${kind}:${entry.name}`);
    next = { ...next, [list]: next[list].filter((_, i) => i !== index) };
  }
  return { next, items };
}
