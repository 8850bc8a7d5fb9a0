// Where the profile store lives: the folder Electron uses as userData for the
// product name "Burrow", so the app and the CLI read the same file.
import { homedir } from 'node:os';
import { join } from 'node:path';

export const PRODUCT_NAME = 'Burrow';
/** electron-store's file name inside userData (configName 'config', extension json). */
export const STORE_NAME = 'config';
export const STORE_FILE = `${STORE_NAME}.json`;

/** Electron's app.getPath('userData') for productName "Burrow", computed without Electron. */
export function defaultConfigDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home = homedir()): string {
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', PRODUCT_NAME);
  if (platform === 'win32') return join(env.APPDATA || join(home, 'AppData', 'Roaming'), PRODUCT_NAME);
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), PRODUCT_NAME);
}

/** BURROW_CONFIG_DIR wins (tests, portable installs). */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.BURROW_CONFIG_DIR || defaultConfigDir(env);
}
