// The back end of the browser mode: electron/api's createServices (the same
// one the Electron main process uses), plus the count of visible pages that
// gates the stats ticks.
import { createServices, type Services } from '../api/services';
import { SessionSecretStore, type SecretStore } from '../profiles/secrets';

export interface WebServices extends Services {
  /** Visible pages right now: stats ticks are only sent while there is one. */
  viewers: { count: number };
  close(): Promise<void>;
}

export interface WebServicesOptions {
  /** Folder of config.json; default BURROW_CONFIG_DIR, else the app's userData folder. */
  configDir?: string;
  env?: NodeJS.ProcessEnv;
  /**
   * Default: in memory, for as long as `burrow web` runs (there is no OS keychain
   * binding outside Electron); session-only, so config.json never refers to it.
   */
  secrets?: SecretStore;
  /** Where "Read ~/.ssh/config" reads. */
  sshConfigPath?: string;
  statsIntervalMs?: number;
  onInternalError?: (channel: string, err: unknown) => void;
}

export async function createWebServices(opts: WebServicesOptions = {}): Promise<WebServices> {
  const services = await createServices({
    configDir: opts.configDir,
    env: opts.env,
    secretStore: opts.secrets ?? new SessionSecretStore(),
    sshConfigPath: opts.sshConfigPath,
    onInternalError: opts.onInternalError,
    publishStatus: 'web',
  });
  const viewers = { count: 0 };
  const stopStats = services.startStats(() => viewers.count > 0, opts.statsIntervalMs);
  return {
    ...services,
    viewers,
    async close() {
      stopStats();
      await services.dispose();
      services.repo.close();
    },
  };
}
