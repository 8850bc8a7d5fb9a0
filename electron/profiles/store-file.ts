// The store file on disk: reading it with a content hash (to notice another
// process's writes), and the rescue of a corrupt file (a copy kept aside,
// never lost; what can be read is kept). Locking: file-lock.ts; writing:
// durable-write.ts.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { jsonrepair } from 'jsonrepair';
import { fieldOf, shapeProblems, type ShapeLimits } from '../../shared/input-shape';
import {
  DEFAULT_SETTINGS,
  ForwardSchema,
  HostSchema,
  ProfileDocumentSchema,
  SCHEMA_VERSION,
  SettingsSchema,
  emptyDocument,
  referenceProblems,
  type Forward,
  type Host,
  type ProfileDocument,
} from '../../shared/model';
import { writeFileDurable } from './durable-write';
import { nestForward } from './migrations';

export interface RawFile {
  /** sha256 of the bytes; null when the file does not exist. */
  hash: string | null;
  text: string | null;
  bytes: Buffer | null;
}

export function hashOf(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function readRaw(path: string): RawFile {
  try {
    const buf = readFileSync(path);
    return { hash: hashOf(buf), text: buf.toString('utf8'), bytes: buf };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { hash: null, text: null, bytes: null };
    throw e;
  }
}

/** `config.corrupt-2025-01-31T10-20-30-123Z.json` beside the original. */
export function corruptName(path: string, now = new Date()): string {
  const base = basename(path).replace(/\.json$/i, '');
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  let target = join(dirname(path), `${base}.corrupt-${stamp}.json`);
  for (let i = 2; existsSync(target); i++) target = join(dirname(path), `${base}.corrupt-${stamp}-${i}.json`);
  return target;
}

/**
 * Keeps a copy of the file's bytes aside (durably, before anything replaces
 * the original) and returns where it went.
 */
export function keepAside(path: string, bytes: Uint8Array, now = new Date()): string {
  const target = corruptName(path, now);
  writeFileDurable(target, bytes);
  return target;
}

/**
 * What a profile file may hold (shared/input-shape.ts): far more than Burrow
 * writes, but no nesting that would overflow the stack of whatever walks it
 * next (validation, writing it back) and no '__proto__' fields.
 */
export const FILE_LIMITS: ShapeLimits = {
  maxDepth: 32,
  maxArrayLength: 100_000,
  maxStringLength: 10_000_000,
  maxKeys: 10_000,
  maxKeyLength: 10_000,
  maxValues: 10_000_000,
  maxTotalChars: Number.POSITIVE_INFINITY,
};

/**
 * Parses the file's text; unreadable JSON is repaired when possible (a
 * truncated write, a stray comma). Parts past FILE_LIMITS are removed from the
 * value, and `damage` says where they were: the file is then damaged too.
 */
export function parseLenient(text: string): { value: unknown; repaired: boolean; damage?: string } | null {
  let parsed: { value: unknown; repaired: boolean };
  try {
    parsed = { value: JSON.parse(text), repaired: false };
  } catch {
    try {
      parsed = { value: JSON.parse(jsonrepair(text)), repaired: true };
    } catch {
      return null;
    }
  }
  const problems = shapeProblems(parsed.value, FILE_LIMITS, { max: Number.POSITIVE_INFINITY, prune: true });
  if (problems.length === 0) return parsed;
  const shown = problems.slice(0, 3).map((p) => `${p.path.length ? fieldOf(p.path) : 'the file'} ${p.message.replace(/\.$/, '')}`);
  const more = problems.length > 3 ? `; and ${problems.length - 3} more such places` : '';
  return { ...parsed, damage: `${shown.join('; ')}${more}` };
}

export interface Recovered {
  doc: ProfileDocument;
  /** One line per entry that could not be kept, with the reason. */
  dropped: string[];
}

/**
 * Keeps every host, forward and setting of a current-version document that is
 * valid on its own, and drops the rest (forwards whose host was dropped, jumps
 * through dropped hosts) until the whole document is consistent.
 */
export function recoverDocument(value: unknown): Recovered {
  const dropped: string[] = [];
  const obj = value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  const label = (kind: string, e: unknown, i: number) => {
    const n = (e as { name?: unknown } | null)?.name;
    return typeof n === 'string' ? `${kind} '${n}'` : `${kind} #${i + 1}`;
  };
  const hosts: Host[] = [];
  (Array.isArray(obj.hosts) ? obj.hosts : []).forEach((h, i) => {
    const r = HostSchema.safeParse(h);
    if (!r.success) dropped.push(`${label('host', h, i)}: ${r.error.issues.map((x) => x.message).join(' ')}`);
    else if (hosts.some((x) => x.name === r.data.name)) dropped.push(`${label('host', h, i)}: a second host of that name.`);
    else hosts.push(r.data);
  });
  let forwards: Forward[] = [];
  (Array.isArray(obj.forwards) ? obj.forwards : []).forEach((f, i) => {
    // A damaged file's version is unknown: a forward in v1's flat shape is still recovered.
    const r = ForwardSchema.safeParse(nestForward(f));
    if (!r.success) dropped.push(`${label('forward', f, i)}: ${r.error.issues.map((x) => x.message).join(' ')}`);
    else if (forwards.some((x) => x.name === r.data.name)) dropped.push(`${label('forward', f, i)}: a second forward of that name.`);
    else forwards.push(r.data);
  });
  const settingsResult = SettingsSchema.safeParse(obj.settings ?? {});
  if (!settingsResult.success) dropped.push(`settings: ${settingsResult.error.issues.map((x) => x.message).join(' ')} (defaults used)`);
  const settings = settingsResult.success ? settingsResult.data : { ...DEFAULT_SETTINGS };

  // Drop what still breaks references, one entry at a time, until consistent.
  let kept = { hosts: [...hosts], forwards };
  for (let guard = 0; guard < 10_000; guard++) {
    const problems = referenceProblems(kept);
    if (problems.length === 0) break;
    const [list, index] = problems[0].path as ['hosts' | 'forwards', number];
    const entry = kept[list][index];
    dropped.push(`${list === 'hosts' ? 'host' : 'forward'} '${entry.name}': ${problems[0].message}`);
    kept = { ...kept, [list]: kept[list].filter((_, i) => i !== index) } as typeof kept;
  }
  forwards = kept.forwards;
  const doc = ProfileDocumentSchema.safeParse({ schemaVersion: SCHEMA_VERSION, hosts: kept.hosts, forwards, settings });
  return doc.success
    ? { doc: doc.data, dropped }
    : { doc: emptyDocument(), dropped: [...dropped, 'everything else: the document could not be made consistent.'] };
}
