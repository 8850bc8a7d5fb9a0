// The app's store binding of the profile file: electron-store (a thin subclass
// of conf) on <configDir>/config.json, the file the CLI's conf uses. The
// repository passes the options (no schema, no clearInvalidConfig, mode
// 0600...) and makes it write durably (electron/profiles/conf-store.ts).
import ElectronStore from 'electron-store';
import type { StoreOptions } from '../profiles/conf-store';

export const createElectronStore = ({ configName, ...options }: StoreOptions) => new ElectronStore<Record<string, unknown>>({ ...options, name: configName });
