// Where passwords and key passphrases go. The profile file holds only a
// reference (auth.secretRef); the value lives behind this interface.
//  - the desktop app: Electron's safeStorage (electron/app/), unavailable on
//    Linux's basic_text backend;
//  - the CLI: keeps nothing, the engine's prompter asks on the TTY.

export interface SecretStore {
  /**
   * True when the values live only as long as this process (the browser mode's
   * memory): the repository then never writes their references into the
   * shared profile file, so that the desktop app and the CLI are not told a
   * secret is stored that their store does not hold.
   */
  readonly sessionOnly?: boolean;
  /** False when secrets cannot be kept safely: then none are stored and the person is asked each time. */
  available(): Promise<boolean>;
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}

/** Keeps nothing (the CLI). */
export class NoSecretStore implements SecretStore {
  async available() {
    return false;
  }
  async get() {
    return null;
  }
  async set(): Promise<void> {
    throw new Error('This secret store keeps nothing; check available() first.');
  }
  async delete(_key: string): Promise<void> {}
}

/** Keeps secrets in memory for the life of the process (tests, the browser mode). */
export class MemorySecretStore implements SecretStore {
  readonly values = new Map<string, string>();
  async available() {
    return true;
  }
  async get(key: string) {
    return this.values.get(key) ?? null;
  }
  async set(key: string, value: string) {
    this.values.set(key, value);
  }
  async delete(key: string) {
    this.values.delete(key);
  }
}

/** Memory that ends with the process, and says so (`burrow web`): references to it stay out of the shared file. */
export class SessionSecretStore extends MemorySecretStore {
  readonly sessionOnly = true;
}
