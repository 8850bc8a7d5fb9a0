// The desktop app's encrypted secrets live in secrets.json beside config.json,
// one entry per reference: { "burrow:host:<uuid>": "<base64 of safeStorage's
// ciphertext>" }. Only Electron can decrypt them, but any process can remove
// an entry by its key: the command line does, so that removing a host or
// changing its authentication leaves no orphaned secret behind. Every change is
// made under the same inter-process lock as the profile file, written atomically.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeOrphanTemps, writeFileDurable } from './durable-write';
import { LockLost, withFileLock } from './file-lock';
import { NoSecretStore } from './secrets';

export const SECRETS_FILE = 'secrets.json';

/** secrets.json in the profile folder. */
export function secretsFilePath(dir: string): string {
  return join(dir, SECRETS_FILE);
}

export type SecretEntries = Record<string, string>;

export class SecretsFile {
  constructor(readonly path: string) {}

  /** The entries; {} when the file is missing or unreadable. */
  read(): SecretEntries {
    try {
      const v = JSON.parse(readFileSync(this.path, 'utf8'));
      return v && typeof v === 'object' && !Array.isArray(v) ? (v as SecretEntries) : {};
    } catch {
      return {};
    }
  }

  /** Applies `change` to the entries as they are on disk now, under the lock, and writes them (mode 0600). */
  async update(change: (entries: SecretEntries) => boolean | void): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await withFileLock(this.path, (lock) => {
          removeOrphanTemps(this.path);
          const entries = this.read();
          if (change(entries) === false) return;
          // Taken over while this process was frozen: redo the change on what the other process wrote.
          writeFileDurable(this.path, JSON.stringify(entries), { beforeRename: () => lock.assertHeld() });
        });
      } catch (e) {
        if (!(e instanceof LockLost) || attempt >= 10) throw e;
      }
    }
  }

  /** Removes one entry (nothing happens when it is not there). */
  delete(key: string): Promise<void> {
    return this.update((entries) => {
      if (!Object.hasOwn(entries, key)) return false;
      delete entries[key];
    });
  }
}

/**
 * The command line's secret store: it keeps nothing and cannot read the app's
 * encrypted entries (passwords are asked for on the terminal), but it deletes
 * the app's entry when the reference to it goes away (a host removed, its
 * authentication changed, a SOCKS login removed).
 */
export class ForgetOnlySecretStore extends NoSecretStore {
  private readonly file: SecretsFile;

  constructor(path: string) {
    super();
    this.file = new SecretsFile(path);
  }

  override delete(key: string): Promise<void> {
    return this.file.delete(key);
  }
}
