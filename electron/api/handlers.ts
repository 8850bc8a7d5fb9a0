// The contract's handlers: the profile channels (profile-handlers.ts) with the
// engine as their runtime, and the channels that act on running forwards,
// sessions and prompts. Inputs arrive validated (dispatcher.ts).
import { performance } from 'node:perf_hooks';
import { homedir } from 'node:os';
import { BurrowError } from '../../shared/errors';
import type { GroupResult, Snapshot } from '../../shared/contract';
import { isRunning } from '../../shared/tunnel-state';
import type { ProfileRepository } from '../profiles/repository';
import { toHostConfig } from '../profiles/to-engine';
import type { TunnelEngine } from '../tunnels/engine';
import { SshSession } from '../tunnels/session';
import type { Prompter } from '../tunnels/types';
import type { Handlers } from './dispatcher';
import { listKeyFiles } from './key-files';
import { startSaved, type SyncReport } from './engine-sync';
import type { PromptBroker } from './prompt-broker';
import { createProfileHandlers, ensureInEngine, savedView, type ForwardRuntime } from './profile-handlers';

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

/** The engine as the profile channels see it. */
function engineRuntime(deps: HandlerDeps): ForwardRuntime {
  const { engine, repo } = deps;
  return {
    synced: deps.synced,
    live: (name) => {
      if (!engine.has(name)) return undefined;
      const info = engine.get(name);
      return { state: info.state, stats: info.stats, socksPassword: info.spec.socksAuth?.password ?? undefined };
    },
    start: (name, socksPassword) => startSaved(engine, name, { repo, prompter: deps.prompter, socksPassword }),
    stop: async (name) => {
      if (engine.has(name)) await engine.stop(name);
    },
    remove: async (name) => {
      if (engine.has(name)) await engine.remove(name);
    },
  };
}

export function createHandlers(deps: HandlerDeps): Handlers {
  const { engine, repo, broker } = deps;
  const runtime = engineRuntime(deps);
  const view = (name: string) => savedView(repo, runtime, name);
  const ensure = (name: string) => ensureInEngine(repo, runtime, name);

  const groupAction = async (group: string, start: boolean): Promise<GroupResult> => {
    const members = repo.listForwards({ group });
    if (members.length === 0) throw new BurrowError('NOT_FOUND', `No forwards are in the group '${group}'.`);
    await deps.synced();
    const results = await Promise.all(
      members.map(async (f) => {
        try {
          if (start) await runtime.start(f.name);
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

  return {
    ...createProfileHandlers({
      repo,
      runtime,
      secretsAvailable: deps.secretsAvailable,
      settingsChanged: deps.settingsChanged,
      sshConfigPath: deps.sshConfigPath,
      homeDir: deps.homeDir,
    }),

    'forward.start': async ({ name }) => {
      await ensure(name);
      await runtime.start(name);
      return view(name);
    },

    'forward.stop': async ({ name }) => {
      repo.requireForward(name);
      await runtime.stop(name);
      return view(name);
    },

    'forward.restart': async ({ name }) => {
      await ensure(name);
      const info = engine.get(name);
      // Restarting keeps the SOCKS password the forward runs with (asked for once).
      const password = isRunning(info.state.state) ? (info.spec.socksAuth?.password ?? undefined) : undefined;
      await engine.stop(name);
      await ensure(name);
      await runtime.start(name, password);
      return view(name);
    },

    'forward.retryNow': async ({ name }) => {
      await ensure(name);
      await engine.retryNow(name);
      return view(name);
    },

    'forward.healthCheck': async ({ name }) => {
      await ensure(name);
      return engine.healthCheck(name);
    },

    'forward.logs': async ({ name, limit }) => {
      await ensure(name);
      const logs = engine.logs(name);
      return limit ? logs.slice(-limit) : logs;
    },

    'forward.connections': async ({ name }) => {
      await ensure(name);
      return engine.connections(name);
    },

    'forward.closeConnection': async ({ name, connectionId }) => {
      await ensure(name);
      return { closed: engine.closeConnection(name, connectionId) };
    },

    'group.start': ({ group }) => groupAction(group, true),
    'group.stop': ({ group }) => groupAction(group, false),

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

    'prompt.answer': ({ id, answer }) => broker.answer(id, answer),
    'prompt.pending': () => broker.pending(),

    'keys.list': () => listKeyFiles(deps.homeDir ?? homedir()),
  };
}
