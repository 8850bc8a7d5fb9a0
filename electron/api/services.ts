// Builds the whole back end the same way for the Electron main process, the
// browser mode (`burrow web`) and the tests: profile repository + tunnel engine
// + prompt broker + the contract's dispatcher + the event hub.
import { dirname } from 'node:path';
import type { CreateStore } from '../profiles/conf-store';
import { ProfileRepository } from '../profiles/repository';
import { RuntimeStatusPublisher, type PublisherKind } from '../profiles/runtime-status';
import type { SecretStore } from '../profiles/secrets';
import { hostKeyFile } from '../profiles/to-engine';
import { TunnelEngine, type EngineOptions } from '../tunnels/engine';
import { isRunning } from '../../shared/tunnel-state';
import type { ForwardState, Prompter } from '../tunnels/types';
import type { Settings } from '../../shared/model';
import { createDispatcher, type Dispatcher } from './dispatcher';
import { engineSyncer, startSaved } from './engine-sync';
import { EventHub, startStatsTicker, wireEvents } from './events';
import { createHandlers } from './handlers';
import { homeFrom } from './key-files';
import { PromptBroker } from './prompt-broker';

export interface ServicesOptions {
  /** The folder of config.json (the app: userData; tests: a temp dir; default BURROW_CONFIG_DIR). */
  configDir?: string;
  secretStore: SecretStore;
  /** The store binding of config.json: the app passes electron-store; plain `conf` otherwise. Both write durably. */
  createStore?: CreateStore;
  engine?: Omit<EngineOptions, 'prompter'>;
  /** How long a prompt waits for a person (ms). */
  promptTimeoutMs?: number;
  /** Watch config.json for other processes' writes (the CLI). Default true. */
  watchProfiles?: boolean;
  sshConfigPath?: string;
  settingsChanged?: (s: Settings) => void;
  onInternalError?: (channel: string, err: unknown) => void;
  env?: NodeJS.ProcessEnv;
  /** Publish the forwards' states next to the profiles for `burrow ls` (the app: 'desktop', burrow web: 'web'). */
  publishStatus?: PublisherKind;
}

export interface Services {
  engine: TunnelEngine;
  repo: ProfileRepository;
  broker: PromptBroker;
  dispatcher: Dispatcher;
  events: EventHub;
  /** Sends stats once per interval while isVisible(); returns the stop function. */
  startStats(isVisible: () => boolean, intervalMs?: number): () => void;
  /** Starts every saved forward marked autostart; resolves with the names that failed. */
  autostart(): Promise<{ name: string; message: string }[]>;
  /** Forwards that hold a port or are connecting. */
  runningCount(): number;
  /** Cancels open prompts, stops every forward, closes the store watcher. */
  dispose(): Promise<void>;
}

/** The broker, plus key passphrases kept in the secret store (answered without asking). */
function storedPassphrasePrompter(broker: PromptBroker, repo: ProfileRepository): Prompter {
  return {
    hostKey: (q, asker) => broker.hostKey(q, asker),
    secret: async (q, asker) => {
      if (q.kind === 'passphrase') {
        const host = repo.listHosts().find((h) => h.auth.secretRef && hostKeyFile(h) === q.subject);
        const stored = host ? await repo.hostSecret(host.name).catch(() => null) : null;
        if (stored) return stored;
      }
      return broker.secret(q, asker);
    },
  };
}

export async function createServices(opts: ServicesOptions): Promise<Services> {
  const repo = await ProfileRepository.open({ secrets: opts.secretStore, dir: opts.configDir, createStore: opts.createStore, env: opts.env });
  const broker = new PromptBroker({ timeoutMs: opts.promptTimeoutMs });
  const prompter = storedPassphrasePrompter(broker, repo);
  // A stored host password is read when a login needs it, not at each sync.
  const savedPassword = (host: string) => repo.hostSecret(host).catch(() => null);
  const engine = new TunnelEngine({ ...opts.engine, prompter, savedPassword });
  const events = new EventHub();
  const unwire = wireEvents(events, { engine, broker, repo });
  // Every saved change reaches the engine: ours before the request that made it answers
  // (handlers await synced()), another process's (the CLI's) at once, since no request may follow.
  const syncer = engineSyncer(engine, repo);
  const offSync = repo.subscribe((change) => {
    if (change.source === 'external') void syncer.synced().catch(() => undefined);
  });
  const unwatch = opts.watchProfiles === false ? () => undefined : repo.watch();
  await syncer.synced();
  // running/<pid>-<kind>.json beside config.json, rewritten on every state change, removed by dispose().
  const status = opts.publishStatus ? new RuntimeStatusPublisher(dirname(repo.path), opts.publishStatus) : undefined;
  const publishStatus = () => status?.publish(engine.list().map((f): [string, ForwardState] => [f.id, f.state]));
  if (status) engine.on('state', publishStatus);
  publishStatus();

  const handlers = createHandlers({
    engine,
    repo,
    broker,
    prompter,
    secretsAvailable: () => opts.secretStore.available(),
    synced: syncer.synced,
    settingsChanged: opts.settingsChanged,
    sshConfigPath: opts.sshConfigPath,
    // ~/.ssh (the key file picker, ssh config) follows env's HOME, as the profile folder follows BURROW_CONFIG_DIR.
    homeDir: homeFrom(opts.env),
  });
  const dispatcher = createDispatcher(handlers, { onInternalError: opts.onInternalError });

  return {
    engine,
    repo,
    broker,
    dispatcher,
    events,
    startStats: (isVisible, intervalMs) => startStatsTicker(events, engine, isVisible, intervalMs),
    async autostart() {
      await syncer.synced();
      const failed: { name: string; message: string }[] = [];
      await Promise.all(
        repo
          .listForwards()
          .filter((f) => f.autostart)
          .map((f) => startSaved(engine, f.name, { repo, prompter }).catch((e: Error) => void failed.push({ name: f.name, message: e.message }))),
      );
      return failed;
    },
    runningCount: () => engine.list().filter((f) => isRunning(f.state.state)).length,
    async dispose() {
      broker.cancelAll();
      offSync();
      syncer.dispose();
      unwatch();
      unwire();
      await engine.shutdown();
      if (status) engine.off('state', publishStatus);
      status?.remove();
    },
  };
}
