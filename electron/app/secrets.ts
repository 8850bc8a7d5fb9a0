// SecretStore over Electron's safeStorage. Encrypted values live in their own
// file (secrets.json in userData), never in the profile store. On Linux the
// 'basic_text' backend (a hard-coded key) counts as unavailable.
import { safeStorage } from 'electron';
import fs from 'node:fs';
import path from 'node:path';
import type { SecretStore } from '../profiles/secrets';

type Encrypted = Record<string, string>;

// Electron 39's typings have only the sync API; use the async one where a later Electron has it.
type MaybeAsync = typeof safeStorage & {
  encryptStringAsync?: (plain: string) => Promise<Buffer>;
  decryptStringAsync?: (data: Buffer) => Promise<{ result: string } | string>;
  isAsyncEncryptionAvailable?: () => Promise<boolean>;
};

export class SafeStorageSecretStore implements SecretStore {
  private readonly file: string;

  constructor(dir: string) {
    this.file = path.join(dir, 'secrets.json');
  }

  async available(): Promise<boolean> {
    const s = safeStorage as MaybeAsync;
    if (process.platform === 'linux' && s.getSelectedStorageBackend() === 'basic_text') return false;
    if (s.isAsyncEncryptionAvailable) return s.isAsyncEncryptionAvailable();
    return s.isEncryptionAvailable();
  }

  private read(): Encrypted {
    try {
      const v = JSON.parse(fs.readFileSync(this.file, 'utf8'));
      return v && typeof v === 'object' ? (v as Encrypted) : {};
    } catch {
      return {};
    }
  }

  private write(data: Encrypted) {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(data), { mode: 0o600 });
    fs.renameSync(tmp, this.file);
  }

  async get(key: string): Promise<string | null> {
    if (!(await this.available())) return null;
    const b64 = this.read()[key];
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
    this.write({ ...this.read(), [key]: enc.toString('base64') });
  }

  async delete(key: string): Promise<void> {
    const data = this.read();
    if (!(key in data)) return;
    delete data[key];
    this.write(data);
  }
}
