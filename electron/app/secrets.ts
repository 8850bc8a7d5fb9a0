// SecretStore over Electron's safeStorage. Encrypted values live in their own
// file (secrets.json beside config.json, see electron/profiles/secrets-file.ts),
// never in the profile store. On Linux the 'basic_text' backend (a hard-coded
// key) counts as unavailable.
import { safeStorage } from 'electron';
import { own } from '../../shared/own-property';
import { SecretsFile, secretsFilePath } from '../profiles/secrets-file';
import type { SecretStore } from '../profiles/secrets';

// Electron 39's typings have only the sync API; use the async one where a later Electron has it.
type MaybeAsync = typeof safeStorage & {
  encryptStringAsync?: (plain: string) => Promise<Buffer>;
  decryptStringAsync?: (data: Buffer) => Promise<{ result: string } | string>;
  isAsyncEncryptionAvailable?: () => Promise<boolean>;
};

export class SafeStorageSecretStore implements SecretStore {
  private readonly file: SecretsFile;

  /** `dir`: the profile folder (the command line removes orphaned entries there too). */
  constructor(dir: string) {
    this.file = new SecretsFile(secretsFilePath(dir));
  }

  async available(): Promise<boolean> {
    const s = safeStorage as MaybeAsync;
    if (process.platform === 'linux' && s.getSelectedStorageBackend() === 'basic_text') return false;
    if (s.isAsyncEncryptionAvailable) return s.isAsyncEncryptionAvailable();
    return s.isEncryptionAvailable();
  }

  async get(key: string): Promise<string | null> {
    if (!(await this.available())) return null;
    const b64 = own(this.file.read(), key);
    if (!b64) return null;
    const s = safeStorage as MaybeAsync;
    const buf = Buffer.from(b64, 'base64');
    try {
      if (s.decryptStringAsync) {
        const r = await s.decryptStringAsync(buf);
        return typeof r === 'string' ? r : r.result;
      }
      return s.decryptString(buf);
    } catch {
      return null;
    }
  }

  async set(key: string, value: string): Promise<void> {
    if (!(await this.available())) throw new Error('No safe secret store is available on this system.');
    const s = safeStorage as MaybeAsync;
    const enc = s.encryptStringAsync ? await s.encryptStringAsync(value) : s.encryptString(value);
    await this.file.update((entries) => {
      entries[key] = enc.toString('base64');
    });
  }

  delete(key: string): Promise<void> {
    return this.file.delete(key);
  }
}
