// Schema migrations of the stored profile document, one step per version.
//
// Version 0 is everything written before schemaVersion existed:
//  - a file with none of our keys (a fresh electron-store file, or one holding
//    only the app's other keys, e.g. window bounds): becomes an empty v1;
//  - the prototype's shape: one flat list of tunnels, each carrying its own
//    connection and a plain-text password:
//      { "tunnels": [ { "name": "pop3", "server": "me@other.example.com:22",
//                       "spec": "-L 1100:mail.example.com:110",
//                       "identityFile": "~/.ssh/id_ed25519", "password": "...",
//                       "autostart": true, "group": "mail" } ],
//        "keepAlive": 30 }
//    Servers become Hosts (one per distinct user@host:port), specs become
//    Forwards, and passwords move to the secret store (never stay in the file).
//
// Version 1 kept a forward's endpoints flat (bindAddress, port, listenSocket,
// destinationHost, destinationPort, destinationSocket); version 2 nests them
// as { kind, listen, target }, the shape of ForwardSpec.
import { DEFAULT_LOCAL_BIND, DEFAULT_REMOTE_BIND, parseForwardSpec, type ForwardKind } from '../../shared/forward-spec';
import { NAME_MAX, NAME_PATTERN, SCHEMA_VERSION, specEndpoints } from '../../shared/model';

export interface MigrationContext {
  /** A fresh, unique reference for a secret. */
  newSecretRef(): string;
}

export interface MigrationResult {
  /** The document in the next version's shape (validated by the caller at the end). */
  doc: Record<string, unknown>;
  /** Secrets pulled out of the document, to be put in the secret store. */
  secrets: Array<{ ref: string; value: string; subject: string }>;
  /** What a person should know (entries that could not be carried over). */
  notes: string[];
}

export type Migration = (doc: Record<string, unknown>, ctx: MigrationContext) => MigrationResult;

/**
 * The version a stored document is at: its schemaVersion, or 0 for a file from
 * before it existed (one without hosts or forwards: those came with it). null
 * when it cannot be told (schemaVersion damaged, or missing beside hosts or
 * forwards): such a file is damaged, not version 0, and migrating it as
 * version 0 would drop everything in it.
 */
export function versionOf(doc: Record<string, unknown>): number | null {
  if (!Object.hasOwn(doc, 'schemaVersion')) return Object.hasOwn(doc, 'hosts') || Object.hasOwn(doc, 'forwards') ? null : 0;
  const v = doc.schemaVersion;
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : null;
}

const FLAGS: Record<string, ForwardKind> = { '-L': 'local', '-R': 'remote', '-D': 'dynamic' };

function slug(text: string): string {
  const s = text
    .replace(/[^A-Za-z0-9._@+-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, NAME_MAX);
  return NAME_PATTERN.test(s) ? s : 'host';
}

function unique(base: string, taken: Set<string>): string {
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base.slice(0, NAME_MAX - String(i).length - 1)}-${i}`;
  taken.add(name);
  return name;
}

/** 0 -> 1: the prototype's flat tunnel list (or nothing) to hosts + forwards (already nested, which 1 -> 2 leaves as is) + settings. */
export const migrateV0: Migration = (old, ctx) => {
  const notes: string[] = [];
  const secrets: MigrationResult['secrets'] = [];
  const hosts: Array<Record<string, unknown>> = [];
  const forwards: Array<Record<string, unknown>> = [];
  const hostByServer = new Map<string, string>();
  const hostNames = new Set<string>();
  const forwardNames = new Set<string>();
  const tunnels = Array.isArray(old.tunnels) ? old.tunnels : [];

  tunnels.forEach((t: unknown, i: number) => {
    const label = `tunnel #${i + 1}`;
    if (!t || typeof t !== 'object') {
      notes.push(`Skipped ${label}: it is not an object.`);
      return;
    }
    const tun = t as Record<string, unknown>;
    const name = typeof tun.name === 'string' && tun.name ? tun.name : label;
    const m = typeof tun.server === 'string' ? /^(?:([^@\s]+)@)?([^:@\s]+)(?::(\d+))?$/.exec(tun.server.trim()) : null;
    if (!m) {
      notes.push(`Skipped tunnel '${name}': its server '${String(tun.server)}' is not user@host[:port].`);
      return;
    }
    const sm = typeof tun.spec === 'string' ? /^\s*(-[LRD])\s*(.+?)\s*$/.exec(tun.spec) : null;
    let endpoints;
    try {
      if (!sm || !FLAGS[sm[1]]) throw new Error(`'${String(tun.spec)}' is not -L, -R or -D followed by a forward spec`);
      endpoints = specEndpoints(parseForwardSpec(FLAGS[sm[1]], sm[2]));
    } catch (e) {
      notes.push(`Skipped tunnel '${name}': ${(e as Error).message}`);
      return;
    }
    const [, user, hostname, port] = m;
    const identityFile = typeof tun.identityFile === 'string' && tun.identityFile ? tun.identityFile : undefined;
    const password = typeof tun.password === 'string' && tun.password ? tun.password : undefined;
    const serverKey = `${user ?? ''}@${hostname}:${port ?? 22}|${identityFile ?? ''}`;
    let hostName = hostByServer.get(serverKey);
    if (!hostName) {
      hostName = unique(slug(hostname), hostNames);
      hostByServer.set(serverKey, hostName);
      const auth: Record<string, unknown> = identityFile ? { method: 'key', keyPath: identityFile } : { method: password ? 'password' : 'agent' };
      if (password) {
        const ref = ctx.newSecretRef();
        auth.secretRef = ref;
        secrets.push({ ref, value: password, subject: `host '${hostName}'` });
      }
      hosts.push({ name: hostName, hostname, port: port ? Number(port) : 22, ...(user ? { user } : {}), auth, jump: [] });
    }
    forwards.push({
      name: unique(slug(name), forwardNames),
      ...endpoints,
      host: hostName,
      autostart: tun.autostart === true,
      ...(typeof tun.group === 'string' && tun.group.trim() ? { group: tun.group.trim().replace(/\s+/g, '-') } : {}),
      tags: [],
    });
  });

  const settings: Record<string, unknown> = {};
  if (typeof old.keepAlive === 'number' && Number.isInteger(old.keepAlive) && old.keepAlive >= 0) {
    settings.keepalive = { interval: old.keepAlive, countMax: 3 };
  }
  const rest = { ...old };
  delete rest.tunnels;
  delete rest.keepAlive;
  return { doc: { ...rest, schemaVersion: 1, hosts, forwards, settings }, secrets, notes };
};

const FLAT_FIELDS = ['bindAddress', 'port', 'listenSocket', 'destinationHost', 'destinationPort', 'destinationSocket'] as const;

/**
 * One forward from v1's flat endpoint fields (bindAddress, port, listenSocket,
 * destinationHost, destinationPort, destinationSocket) to v2's nested
 * { listen, target }. A field it cannot place is kept as it was, so that
 * validation names it rather than the migration dropping it. Also used for
 * JSON exports made by v1.
 */
export function nestForward(f: unknown): unknown {
  if (!f || typeof f !== 'object' || Array.isArray(f)) return f;
  const old = f as Record<string, unknown>;
  if (!FLAT_FIELDS.some((k) => Object.hasOwn(old, k))) return f;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(old)) if (!(FLAT_FIELDS as readonly string[]).includes(k)) out[k] = v;
  const remote = old.kind === 'remote';
  if (old.listenSocket !== undefined && old.port === undefined && old.bindAddress === undefined) out.listen = { path: old.listenSocket };
  else if (old.listenSocket === undefined) out.listen = { host: old.bindAddress ?? (remote ? DEFAULT_REMOTE_BIND : DEFAULT_LOCAL_BIND), port: old.port };
  else Object.assign(out, { listenSocket: old.listenSocket, port: old.port, bindAddress: old.bindAddress });
  const hasTcp = old.destinationHost !== undefined || old.destinationPort !== undefined;
  if (old.destinationSocket !== undefined && !hasTcp) out.target = { path: old.destinationSocket };
  else if (old.destinationSocket === undefined && hasTcp) out.target = { host: old.destinationHost, port: old.destinationPort };
  else if (hasTcp) Object.assign(out, { destinationSocket: old.destinationSocket, destinationHost: old.destinationHost, destinationPort: old.destinationPort });
  return out;
}

/** 1 -> 2: each forward's flat endpoint fields nested as { listen, target }. */
const migrateV1: Migration = (old) => {
  const forwards = Array.isArray(old.forwards) ? old.forwards.map(nestForward) : old.forwards;
  return { doc: { ...old, schemaVersion: 2, forwards }, secrets: [], notes: [] };
};

/** Step from version N to N+1, by N. */
export const MIGRATIONS: Record<number, Migration> = {
  0: migrateV0,
  1: migrateV1,
};

/** Runs every step from the document's version up to SCHEMA_VERSION. */
export function migrate(
  doc: Record<string, unknown>,
  ctx: MigrationContext,
  migrations = MIGRATIONS,
  target = SCHEMA_VERSION,
): MigrationResult & { from: number } {
  const from = versionOf(doc);
  if (from === null) throw new Error('The profile schema version cannot be read.');
  let current = doc;
  const secrets: MigrationResult['secrets'] = [];
  const notes: string[] = [];
  for (let v = from; v < target; v++) {
    const step = migrations[v];
    if (!step) throw new Error(`No migration from profile schema version ${v}.`);
    const r = step(current, ctx);
    current = r.doc;
    secrets.push(...r.secrets);
    notes.push(...r.notes);
  }
  return { doc: current, secrets, notes, from };
}
