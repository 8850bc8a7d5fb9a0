// The electron-store instance the profile repository writes through (same file
// as the CLI's `conf`: <userData>/config.json, default JSON serialization).
import Store from 'electron-store';
import type { CreateStore } from '../profiles/repository';

export const createElectronStore: CreateStore = ({ cwd, configName }) =>
  new Store<Record<string, unknown>>({ cwd, name: configName, clearInvalidConfig: false });
