// The app's store binding of the profile file: electron-store (a thin subclass
// of conf) on <configDir>/config.json, the file the CLI's conf uses. The
// repository makes it write durably (electron/profiles/conf-store.ts) and
// passes the options (no schema, no clearInvalidConfig, mode 0600...).
import ElectronStore from 'electron-store';
import type { CreateStore } from '../profiles/conf-store';

export const createElectronStore: CreateStore = ({ configName, ...options }) => new ElectronStore<Record<string, unknown>>({ ...options, name: configName });
