// The contract's profile channels: saving, removing, importing and exporting
// hosts, forwards and settings. They need the repository and the secret store
// only; what runs comes in through a narrow ForwardRuntime (the engine in the
// app and `burrow web`, nothing on the command line), so that the `burrow`
// profile commands go through the same handlers as the window without loading
// the engine. Inputs arrive validated (dispatcher.ts).
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { BurrowError } from '../../shared/errors';
import type { ForwardView, HostView, PresetView, SavedForwardView } from '../../shared/contract';
import { isRunning, type ForwardState, type ForwardStats } from '../../shared/tunnel-state';
import { describeForward, parseForward, type Forward, type Host, type ProfileDocument, type Settings } from '../../shared/model';
import { PRESETS, findPreset, takenLocalPorts } from '../../shared/presets';
import { presetForward, presetLabels } from '../profiles/presets';
import { exportJson, exportSshCommand, exportSshConfig, parseExport, sshExportNote } from '../profiles/export';
import type { Incoming } from '../profiles/merge';
import { checkLocalPort } from '../profiles/port-probe';
import type { ProfileRepository } from '../profiles/repository';
import { importSshConfigFile, importSshConfigText, withProblemItems } from '../profiles/ssh-config-import';
import { resolveAlgorithms } from '../tunnels/algorithms';
import type { Handlers } from './dispatcher';

/** What the profile channels need of the forwards that run in this process. */
export interface ForwardRuntime {
  /** Resolves once the engine holds every saved change; `problems` names the forwards it could not take, and why. */
  synced(): Promise<{ problems: { name: string; message: string }[] }>;
  /** A forward's live state and counters, and the SOCKS password it was started with; undefined when nothing runs it here. */
  live(name: string): { state: ForwardState; stats: ForwardStats; socksPassword?: string } | undefined;
  /** Starts a saved forward (asking for its SOCKS password when none is given or stored). */
  start(name: string, socksPassword?: string): Promise<void>;
  stop(name: string): Promise<void>;
  /** Stops it and forgets it, before its profile is removed. */
  remove(name: string): Promise<void>;
}

/**
 * The command line's runtime: no forward runs in a profile command. The app or
 * `burrow web`, when open, picks the change up from the file and restarts what it runs.
 */
export const NOTHING_RUNS: ForwardRuntime = {
  synced: async () => ({ problems: [] }),
  live: () => undefined,
  start: async (name) => {
    throw new BurrowError('USAGE', `Forwards are not started here; run '${name}' with 'burrow up ${name}' or in the app.`);
  },
  stop: async () => undefined,
  remove: async () => undefined,
};

export interface ProfileDeps {
  repo: ProfileRepository;
  secretsAvailable: () => Promise<boolean>;
  /** Default NOTHING_RUNS. */
  runtime?: ForwardRuntime;
  /** Called after settings change (launch at login is applied by the app). */
  settingsChanged?: (s: Settings) => void;
  /** Where "import from ~/.ssh/config" reads. */
  sshConfigPath?: string;
  /** The home folder whose .ssh/config is read by default; default the user's. Tests set it. */
  homeDir?: string;
}

/** The channels createProfileHandlers serves. */
export type ProfileChannel =
  | 'state.get'
  | 'forward.add'
  | 'forward.update'
  | 'forward.remove'
  | 'forward.fromPreset'
  | 'port.check'
  | 'host.add'
  | 'host.update'
  | 'host.remove'
  | 'import.preview'
  | 'import.apply'
  | 'export'
  | 'settings.get'
  | 'settings.set'
  | 'presets.list'
  | 'algorithms.resolve';

const STOPPED = { state: { state: 'stopped' } as ForwardState, stats: { openConnections: 0, totalConnections: 0, bytesIn: 0, bytesOut: 0 } };

/** A saved forward with its live state (stopped when nothing runs it). */
export function forwardView(runtime: ForwardRuntime, f: Forward, doc: ProfileDocument): ForwardView {
  const { state, stats } = runtime.live(f.name) ?? STOPPED;
  let sshCommand = '';
  try {
    sshCommand = exportSshCommand(f, doc);
  } catch {
    /* host missing: shown by the state */
  }
  return { forward: f, state, stats, summary: describeForward(f), sshCommand };
}

export function savedView(repo: ProfileRepository, runtime: ForwardRuntime, name: string): ForwardView {
  const doc = repo.document();
  const f = doc.forwards.find((x) => x.name === name) ?? repo.requireForward(name);
  return forwardView(runtime, f, doc);
}

/** Makes sure the engine knows the saved forward (and its latest definition) before acting on it. */
export async function ensureInEngine(repo: ProfileRepository, runtime: ForwardRuntime, name: string): Promise<void> {
  repo.requireForward(name);
  const report = await runtime.synced();
  const problem = report.problems.find((p) => p.name === name);
  if (problem) throw new BurrowError('VALIDATION', problem.message);
}

const hostView = (h: Host): HostView => ({ host: h, hasStoredSecret: !!h.auth.secretRef });

/** Entries one import may hold: each is validated, merged and reported, so the answer and the time it takes stay bounded. */
const MAX_IMPORT_ENTRIES = 10_000;

const tooBig = (what: string, n: number) =>
  new BurrowError(
    'VALIDATION',
    `${what} holds ${n} entries; Burrow imports at most ${MAX_IMPORT_ENTRIES} at a time. Split it and import the parts one after the other.`,
  );

type ImportSource = { format: 'ssh_config' | 'json'; text?: string; path?: string; defaultPath?: true };

function readImport(deps: ProfileDeps, source: ImportSource): Incoming {
  const incoming = readImportSource(deps, source);
  const n = incoming.hosts.length + incoming.forwards.length + (incoming.skipped?.length ?? 0);
  if (n > MAX_IMPORT_ENTRIES) throw tooBig('The import', n);
  return incoming;
}

function readImportSource(deps: ProfileDeps, source: ImportSource): Incoming {
  if (source.format === 'json') {
    if (source.path === undefined) return parseExport(source.text ?? '', 'The import');
    return parseExport(readImportFile(source.path), source.path);
  }
  if (source.text !== undefined) {
    // Counted before parsing: computing every Host of a huge text would take long before the total could be checked.
    const blocks = source.text.match(/^[ \t]*(host|match)\b/gim)?.length ?? 0;
    if (blocks > MAX_IMPORT_ENTRIES) throw tooBig('The ssh_config text', blocks);
    // Pasted or chosen-file text: Include lines are followed as in ~/.ssh/config; what cannot be read gets a report line.
    return withProblemItems(importSshConfigText(source.text));
  }
  const file = source.path ?? deps.sshConfigPath ?? join(deps.homeDir ?? homedir(), '.ssh', 'config');
  const r = importSshConfigFile(file);
  const problems = r.problems.map((p) => ({ kind: 'host' as const, name: file, action: 'skip' as const, reason: p }));
  return { hosts: r.hosts, forwards: r.forwards, skipped: [...(r.skipped ?? []), ...problems] };
}

/** The most an import file may hold: what a pasted import may (the contract's text limit). */
const MAX_IMPORT_BYTES = 5_000_000;

/** Checked before reading: a device (/dev/zero) or a huge file would hold the process up or exhaust its memory. */
function readImportFile(path: string): string {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const st = fstatSync(fd);
    if (!st.isFile()) throw new BurrowError('USAGE', `Cannot import ${path}: it is not a regular file. Give a file made by 'burrow export --format json'.`);
    if (st.size > MAX_IMPORT_BYTES) {
      throw new BurrowError(
        'USAGE',
        `Cannot import ${path}: it holds ${st.size} bytes, more than an export of ${MAX_IMPORT_ENTRIES} entries needs (at most ${MAX_IMPORT_BYTES}).`,
      );
    }
    return readFileSync(fd, 'utf8');
  } catch (e) {
    if (e instanceof BurrowError) throw e;
    throw new BurrowError('USAGE', `Cannot read ${path}: ${(e as Error).message}.`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function selectIncoming(incoming: Incoming, select: string[] | undefined): Incoming {
  if (!select) return incoming;
  const keep = new Set(select);
  const named = (v: unknown) => keep.has(String((v as { name?: unknown } | null)?.name));
  return { ...incoming, hosts: incoming.hosts.filter(named), forwards: incoming.forwards.filter(named) };
}

/** The forwards asked for and every host they need (jump hosts included). */
function subset(doc: ProfileDocument, names: string[] | undefined): ProfileDocument {
  if (!names) return doc;
  const forwards = names.map((n) => {
    const f = doc.forwards.find((x) => x.name === n);
    if (!f) throw new BurrowError('NOT_FOUND', `No forward named '${n}'.`);
    return f;
  });
  const need = new Set<string>();
  const visit = (h: string) => {
    if (need.has(h)) return;
    need.add(h);
    doc.hosts.find((x) => x.name === h)?.jump.forEach(visit);
  };
  forwards.forEach((f) => visit(f.host));
  return { ...doc, forwards, hosts: doc.hosts.filter((h) => need.has(h.name)) };
}

export function createProfileHandlers(deps: ProfileDeps): Pick<Handlers, ProfileChannel> {
  const { repo } = deps;
  const runtime = deps.runtime ?? NOTHING_RUNS;
  const view = (name: string) => savedView(repo, runtime, name);

  /**
   * After a forward was saved: hands it to the engine and, when asked, starts
   * it. A start that fails leaves the forward saved, and the answer says so
   * (ok, state failed, startError) instead of failing the request as if
   * nothing had been saved.
   */
  const afterSave = async (name: string, start: (() => Promise<void>) | null): Promise<SavedForwardView> => {
    try {
      await ensureInEngine(repo, runtime, name);
      if (start) await start();
    } catch (e) {
      if (!start) throw e;
      const be = e instanceof BurrowError ? e : new BurrowError('INTERNAL', (e as Error).message);
      return { ...view(name), startError: { code: be.code, message: be.message } };
    }
    return view(name);
  };

  return {
    'state.get': async () => {
      const doc = repo.document();
      await runtime.synced();
      return {
        hosts: doc.hosts.map(hostView),
        forwards: doc.forwards.map((f) => forwardView(runtime, f, doc)),
        settings: doc.settings,
        warnings: repo.warnings.map((w) => ({ code: w.code, message: w.message })),
        secretStoreAvailable: await deps.secretsAvailable(),
      };
    },

    'forward.add': async ({ forward, start, secret }) => {
      const f = await repo.addForward(forward, { secret });
      return afterSave(f.name, start ? () => runtime.start(f.name, secret) : null);
    },

    'forward.update': async ({ name, forward, secret }) => {
      const current = repo.requireForward(name);
      const live = runtime.live(name);
      const wasRunning = !!live && isRunning(live.state.state);
      // The SOCKS password a running forward was started with, to restart it without asking again.
      const runningPassword = wasRunning ? live.socksPassword : undefined;
      const f = await repo.replaceForward(name, forward, { secret });
      if (wasRunning) await runtime.stop(name);
      const sameLogin = current.socksUser !== undefined && current.socksUser === f.socksUser && secret === undefined;
      return afterSave(f.name, wasRunning ? () => runtime.start(f.name, secret ?? (sameLogin ? runningPassword : undefined)) : null);
    },

    'forward.remove': async ({ name }) => {
      repo.requireForward(name);
      await runtime.remove(name);
      await repo.removeForward(name);
      return { removed: name };
    },

    'forward.fromPreset': async ({ presetId, host, name, destinationHost, localPort, start }) => {
      const preset = findPreset(presetId);
      repo.requireHost(host);
      // pop3-mail, then pop3-mail-2, ... on the next free port: as the tray and `burrow preset`.
      // The input names pieces of a forward: the forward made of them is validated here, once.
      const f = await repo.addForward(parseForward(await presetForward(repo.document(), preset, { host, destinationHost, name, localPort })));
      return afterSave(f.name, start ? () => runtime.start(f.name) : null);
    },

    'port.check': ({ port, bindAddress }) => checkLocalPort(port, bindAddress, new Set(takenLocalPorts(repo.document().forwards))),

    'host.add': async ({ host, secret }) => {
      const r = await repo.addHost(host, { secret });
      await runtime.synced();
      return { host: hostView(r.value), warnings: r.warnings.map((w) => ({ code: w.code, message: w.message })) };
    },

    'host.update': async ({ name, host, secret }) => {
      const r = await repo.replaceHost(name, host, { secret });
      await runtime.synced();
      return { host: hostView(r.value), warnings: r.warnings.map((w) => ({ code: w.code, message: w.message })) };
    },

    'host.remove': async ({ name }) => {
      await repo.removeHost(name);
      return { removed: name };
    },

    'import.preview': async ({ source, replace }) => repo.importProfiles(readImport(deps, source), { dryRun: true, replace }),

    'import.apply': async ({ source, select, replace }) => {
      const r = await repo.importProfiles(selectIncoming(readImport(deps, source), select), { replace });
      await runtime.synced();
      return r;
    },

    export: async ({ format, forwards }) => {
      for (const n of forwards ?? []) repo.requireForward(n);
      const doc = subset(repo.document(), forwards);
      if (format === 'json') return { text: JSON.stringify(exportJson(doc), null, 2) + '\n', fileName: 'burrow-profiles.json' };
      if (format === 'ssh_config') return { text: exportSshConfig(doc), fileName: 'burrow-ssh_config' };
      if (doc.forwards.length !== 1) throw new BurrowError('USAGE', 'The ssh format exports one forward: name it in forwards.');
      const [f] = doc.forwards;
      const note = sshExportNote(f);
      return { text: exportSshCommand(f, doc) + '\n', fileName: `${f.name}.sh`, ...(note ? { notes: [note] } : {}) };
    },

    'settings.get': () => repo.getSettings(),
    'settings.set': async (patch) => {
      const s = await repo.updateSettings(patch);
      await runtime.synced();
      deps.settingsChanged?.(s);
      return s;
    },

    'presets.list': async () => {
      const labels = await presetLabels(repo.document(), PRESETS);
      return labels.map(({ preset: p, localPort, label }): PresetView => ({
        id: p.id,
        label: p.label,
        kind: p.port === undefined ? 'dynamic' : 'local',
        port: p.port,
        localPort,
        title: label,
      }));
    },

    'algorithms.resolve': ({ kind, value }) => ({ kind, ...resolveAlgorithms(kind, value) }),
  };
}
