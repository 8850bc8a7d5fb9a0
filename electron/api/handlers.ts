// The contract's handlers over the services. Inputs arrive validated (dispatcher.ts).
import { performance } from 'node:perf_hooks';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { BurrowError } from '../../shared/errors';
import type { ForwardView, GroupResult, HostView, PresetView, SavedForwardView, Snapshot } from '../../shared/contract';
import { isRunning } from '../../shared/tunnel-state';
import { describeForward, type Forward, type Host, type ProfileDocument } from '../../shared/model';
import { PRESETS, findPreset, takenLocalPorts } from '../../shared/presets';
import { presetForward, presetLabels } from '../profiles/presets';
import { exportJson, exportSshCommand, exportSshConfig, parseExport } from '../profiles/export';
import type { Incoming } from '../profiles/merge';
import { checkLocalPort } from '../profiles/port-probe';
import type { ProfileRepository } from '../profiles/repository';
import { importSshConfigFile, importSshConfigText, withProblemItems } from '../profiles/ssh-config-import';
import { toHostConfig } from '../profiles/to-engine';
import type { TunnelEngine } from '../tunnels/engine';
import { SshSession } from '../tunnels/session';
import type { Prompter } from '../tunnels/types';
import type { Handlers } from './dispatcher';
import { listKeyFiles, sshDir } from './key-files';
import { resolveAlgorithms } from '../tunnels/algorithms';
import { startSaved, type SyncReport } from './engine-sync';
import type { PromptBroker } from './prompt-broker';

export interface HandlerDeps {
  engine: TunnelEngine;
  repo: ProfileRepository;
  broker: PromptBroker;
  /** The prompter sessions use (the broker, plus stored passphrases). */
  prompter: Prompter;
  secretsAvailable: () => Promise<boolean>;
  /** Resolves once the engine holds every saved change (engine-sync.ts engineSyncer). */
  synced: () => Promise<SyncReport>;
  /** Called after settings change (launch at login is applied by the app). */
  settingsChanged?: (s: Snapshot['settings']) => void;
  /** Where "import from ~/.ssh/config" reads. */
  sshConfigPath?: string;
  /** The home folder whose .ssh is looked at (key files, ssh config); default the user's. Tests set it. */
  homeDir?: string;
}

function forwardView(deps: HandlerDeps, f: Forward, doc: ProfileDocument): ForwardView {
  const { engine } = deps;
  const info = engine.has(f.name) ? engine.get(f.name) : undefined;
  let sshCommand = '';
  try {
    sshCommand = exportSshCommand(f, doc);
  } catch {
    /* host missing: shown by the state */
  }
  return {
    forward: f,
    state: info?.state ?? { state: 'stopped' },
    stats: info?.stats ?? { openConnections: 0, totalConnections: 0, bytesIn: 0, bytesOut: 0 },
    summary: describeForward(f),
    sshCommand,
  };
}

const hostView = (h: Host): HostView => ({ host: h, hasStoredSecret: !!h.auth.secretRef });

function view(deps: HandlerDeps, name: string): ForwardView {
  const doc = deps.repo.document();
  const f = doc.forwards.find((x) => x.name === name) ?? deps.repo.requireForward(name);
  return forwardView(deps, f, doc);
}

/** Makes sure the engine knows the saved forward (and its latest definition) before acting on it. */
async function ensureInEngine(deps: HandlerDeps, name: string): Promise<void> {
  deps.repo.requireForward(name);
  const report = await deps.synced();
  const problem = report.problems.find((p) => p.name === name);
  if (problem) throw new BurrowError('VALIDATION', problem.message);
}

/** Entries one import may hold: each is validated, merged and reported, so the answer and the time it takes stay bounded. */
export const MAX_IMPORT_ENTRIES = 10_000;

const tooBig = (what: string, n: number) =>
  new BurrowError(
    'VALIDATION',
    `${what} holds ${n} entries; Burrow imports at most ${MAX_IMPORT_ENTRIES} at a time. Split it and import the parts one after the other.`,
  );

function readImport(deps: HandlerDeps, source: { format: 'ssh_config' | 'json'; text?: string; path?: string; defaultPath?: true }): Incoming {
  const incoming = readImportSource(deps, source);
  const n = incoming.hosts.length + incoming.forwards.length + (incoming.skipped?.length ?? 0);
  if (n > MAX_IMPORT_ENTRIES) throw tooBig('The import', n);
  return incoming;
}

function readImportSource(deps: HandlerDeps, source: { format: 'ssh_config' | 'json'; text?: string; path?: string; defaultPath?: true }): Incoming {
  if (source.format === 'json') return parseExport(source.text ?? '', 'The import');
  if (source.text !== undefined) {
    // Counted before parsing: computing every Host of a huge text would take long before the total could be checked.
    const blocks = source.text.match(/^[ \t]*(host|match)\b/gim)?.length ?? 0;
    if (blocks > MAX_IMPORT_ENTRIES) throw tooBig('The ssh_config text', blocks);
    // Pasted or chosen-file text: Include lines are followed as in ~/.ssh/config; what cannot be read gets a report line.
    return withProblemItems(importSshConfigText(source.text));
  }
  const file = source.path ?? deps.sshConfigPath ?? join(sshDir(deps.homeDir ?? homedir()), 'config');
  const r = importSshConfigFile(file);
  const problems = r.problems.map((p) => ({ kind: 'host' as const, name: file, action: 'skip' as const, reason: p }));
  return { hosts: r.hosts, forwards: r.forwards, skipped: [...(r.skipped ?? []), ...problems] };
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

export function createHandlers(deps: HandlerDeps): Handlers {
  const { engine, repo, broker } = deps;

  /** Starts a saved forward, asking for its SOCKS password first when none is stored. */
  const startOne = (name: string, socksPassword?: string | null) =>
    startSaved(engine, name, { repo, prompter: deps.prompter, socksPassword: socksPassword ?? undefined });

  /**
   * After a forward was saved: hands it to the engine and, when asked, starts
   * it. A start that fails leaves the forward saved, and the answer says so
   * (ok, state failed, startError) instead of failing the request as if
   * nothing had been saved.
   */
  const afterSave = async (name: string, start: (() => Promise<void>) | null): Promise<SavedForwardView> => {
    try {
      await ensureInEngine(deps, name);
      if (start) await start();
    } catch (e) {
      if (!start) throw e;
      const be = e instanceof BurrowError ? e : new BurrowError('INTERNAL', (e as Error).message);
      return { ...view(deps, name), startError: { code: be.code, message: be.message } };
    }
    return view(deps, name);
  };

  const groupAction = async (group: string, start: boolean): Promise<GroupResult> => {
    const members = repo.listForwards({ group });
    if (members.length === 0) throw new BurrowError('NOT_FOUND', `No forwards are in the group '${group}'.`);
    await deps.synced();
    const results = await Promise.all(
      members.map(async (f) => {
        try {
          if (start) await startOne(f.name);
          else await engine.stop(f.name);
          return { name: f.name, ok: true };
        } catch (e) {
          const be = e instanceof BurrowError ? e : new BurrowError('INTERNAL', (e as Error).message);
          return { name: f.name, ok: false, code: be.code, message: be.message };
        }
      }),
    );
    return { group, results };
  };

  const replaceWith = <T extends object>(current: T, next: object) => {
    // Replace semantics: optional fields left out of `next` are removed.
    const patch: Record<string, unknown> = { ...next };
    for (const k of Object.keys(current)) if (!(k in patch)) patch[k] = null;
    return patch;
  };

  return {
    'state.get': async () => {
      const doc = repo.document();
      await deps.synced();
      return {
        hosts: doc.hosts.map(hostView),
        forwards: doc.forwards.map((f) => forwardView(deps, f, doc)),
        settings: doc.settings,
        warnings: repo.warnings.map((w) => ({ code: w.code, message: w.message })),
        secretStoreAvailable: await deps.secretsAvailable(),
      };
    },

    'forward.add': async ({ forward, start, secret }) => {
      const f = await repo.addForward(forward, { secret });
      return afterSave(f.name, start ? () => startOne(f.name, secret) : null);
    },

    'forward.update': async ({ name, forward, secret }) => {
      const current = repo.requireForward(name);
      const wasRunning = engine.has(name) && isRunning(engine.get(name).state.state);
      // The SOCKS password a running forward was started with, to restart it without asking again.
      const runningPassword = wasRunning ? engine.get(name).spec.socksAuth?.password : undefined;
      const f = await repo.replaceForward(name, forward, { secret });
      if (wasRunning) await engine.stop(name);
      const sameLogin = current.socksUser !== undefined && current.socksUser === f.socksUser && secret === undefined;
      return afterSave(f.name, wasRunning ? () => startOne(f.name, secret ?? (sameLogin ? runningPassword : undefined)) : null);
    },

    'forward.remove': async ({ name }) => {
      repo.requireForward(name);
      if (engine.has(name)) await engine.remove(name);
      await repo.removeForward(name);
      return { removed: name };
    },

    'forward.start': async ({ name }) => {
      await ensureInEngine(deps, name);
      await startOne(name);
      return view(deps, name);
    },

    'forward.stop': async ({ name }) => {
      repo.requireForward(name);
      if (engine.has(name)) await engine.stop(name);
      return view(deps, name);
    },

    'forward.restart': async ({ name }) => {
      await ensureInEngine(deps, name);
      const info = engine.get(name);
      // Restarting keeps the SOCKS password the forward runs with (asked for once).
      const password = isRunning(info.state.state) ? info.spec.socksAuth?.password : undefined;
      await engine.stop(name);
      await ensureInEngine(deps, name);
      await startOne(name, password);
      return view(deps, name);
    },

    'forward.retryNow': async ({ name }) => {
      await ensureInEngine(deps, name);
      await engine.retryNow(name);
      return view(deps, name);
    },

    'forward.healthCheck': async ({ name }) => {
      await ensureInEngine(deps, name);
      return engine.healthCheck(name);
    },

    'forward.logs': async ({ name, limit }) => {
      await ensureInEngine(deps, name);
      const logs = engine.logs(name);
      return limit ? logs.slice(-limit) : logs;
    },

    'forward.connections': async ({ name }) => {
      await ensureInEngine(deps, name);
      return engine.connections(name);
    },

    'forward.closeConnection': async ({ name, connectionId }) => {
      await ensureInEngine(deps, name);
      return { closed: engine.closeConnection(name, connectionId) };
    },

    'forward.fromPreset': async ({ presetId, host, name, destinationHost, localPort, start }) => {
      const preset = findPreset(presetId);
      repo.requireHost(host);
      // pop3-mail, then pop3-mail-2, ... on the next free port: as the tray and `burrow preset`.
      const f = await repo.addForward(await presetForward(repo.document(), preset, { host, destinationHost, name, localPort }));
      return afterSave(f.name, start ? () => startOne(f.name) : null);
    },

    'port.check': ({ port, bindAddress }) => checkLocalPort(port, bindAddress, new Set(takenLocalPorts(repo.document().forwards))),

    'group.start': ({ group }) => groupAction(group, true),
    'group.stop': ({ group }) => groupAction(group, false),

    'host.add': async ({ host, secret }) => {
      const r = await repo.addHost(host, { secret });
      await deps.synced();
      return { host: hostView(r.value), warnings: r.warnings.map((w) => ({ code: w.code, message: w.message })) };
    },

    'host.update': async ({ name, host, secret }) => {
      const current = repo.requireHost(name);
      const r = await repo.updateHost(name, replaceWith(current, host), { secret });
      await deps.synced();
      return { host: hostView(r.value), warnings: r.warnings.map((w) => ({ code: w.code, message: w.message })) };
    },

    'host.remove': async ({ name }) => {
      await repo.removeHost(name);
      return { removed: name };
    },

    'host.test': async (input) => {
      const doc = repo.document();
      const host = 'name' in input ? repo.requireHost(input.name) : input.host;
      // A saved host's stored password is read when the login gets to it; a form's typed one is given.
      const passwords = new Map<string, string>();
      if (!('name' in input) && input.secret && host.auth.method === 'password') passwords.set(host.name, input.secret);
      const lookup = (n: string) => (n === host.name ? host : doc.hosts.find((h) => h.name === n));
      const config = toHostConfig(host, { lookup, settings: doc.settings, passwords });
      let prompter = deps.prompter;
      if (!('name' in input) && input.secret && host.auth.method === 'key') {
        const secret = input.secret;
        prompter = {
          hostKey: (q, asker) => deps.prompter.hostKey(q, asker),
          secret: (q, asker) => (q.kind === 'passphrase' ? Promise.resolve(secret) : deps.prompter.secret(q, asker)),
        };
      }
      const savedPassword = (name: string) => repo.hostSecret(name).catch(() => null);
      const session = new SshSession(config, { prompter, savedPassword, reconnect: { permanentFailureLimit: 0 } });
      session.on('error', () => undefined);
      const t0 = performance.now();
      try {
        await session.start();
        // The time a host-key or password question sat open is the person's, not the connection's.
        return { ok: true, elapsedMs: Math.round(performance.now() - t0 - session.promptWaitMs) };
      } catch (e) {
        const be = e instanceof BurrowError ? e : new BurrowError('SSH_CONNECT_FAILED', (e as Error).message);
        return { ok: false, error: { code: be.code, message: be.message } };
      } finally {
        session.close();
      }
    },

    'import.preview': async ({ source }) => repo.importProfiles(readImport(deps, source), { dryRun: true }),

    'import.apply': async ({ source, select, replace }) => {
      const r = await repo.importProfiles(selectIncoming(readImport(deps, source), select), { replace });
      await deps.synced();
      return r;
    },

    export: async ({ format, forwards }) => {
      const doc = subset(repo.document(), forwards);
      if (format === 'json') return { text: JSON.stringify(exportJson(doc), null, 2) + '\n', fileName: 'burrow-profiles.json' };
      return { text: exportSshConfig(doc), fileName: 'burrow-ssh_config' };
    },

    'prompt.answer': ({ id, answer }) => broker.answer(id, answer),
    'prompt.pending': () => broker.pending(),

    'settings.get': () => repo.getSettings(),
    'settings.set': async (patch) => {
      const s = await repo.updateSettings(patch);
      await deps.synced();
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

    'keys.list': () => listKeyFiles(deps.homeDir ?? homedir()),

    'algorithms.resolve': ({ kind, value }) => ({ kind, ...resolveAlgorithms(kind, value) }),
  };
}
