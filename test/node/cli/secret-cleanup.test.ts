// The command line cannot decrypt the app's secrets (Electron safeStorage), but
// it removes the app's entry from secrets.json when a change leaves it without
// a reference: `burrow rm host`, `burrow edit host --auth ...` (or another key
// file), `burrow rm forward` and `--no-socks-user`. Real files, the real
// `burrow` command.
import { parseForward, parseHost } from '../../../shared/model';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProfileRepository } from '../../../electron/profiles/repository';
import { SecretsFile, secretsFilePath } from '../../../electron/profiles/secrets-file';
import type { SecretStore } from '../../../electron/profiles/secrets';
import { burrowDone } from '../../support/cli';

/** Stands in for the app's SafeStorageSecretStore: the same file, opaque values. */
class AppLikeStore implements SecretStore {
  readonly file: SecretsFile;
  constructor(dir: string) {
    this.file = new SecretsFile(secretsFilePath(dir));
  }
  async available() {
    return true;
  }
  async get(key: string) {
    const v = this.file.read()[key];
    return v
      ? Buffer.from(v, 'base64')
          .toString()
          .replace(/^ciphertext:/, '')
      : null;
  }
  async set(key: string, value: string) {
    await this.file.update((e) => {
      e[key] = Buffer.from(`ciphertext:${value}`).toString('base64');
    });
  }
  async delete(key: string) {
    await this.file.delete(key);
  }
}

let dir: string;
let app: ProfileRepository;
let store: AppLikeStore;
const cli = (...args: string[]) => burrowDone(args, { env: { BURROW_CONFIG_DIR: dir } });
const entries = () => JSON.parse(readFileSync(secretsFilePath(dir), 'utf8')) as Record<string, string>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'burrow-cli-secrets-'));
  store = new AppLikeStore(dir);
  app = await ProfileRepository.open({ dir, secrets: store });
  await app.addHost(parseHost({ name: 'gone', hostname: 'a.example.com', auth: { method: 'password' } }), { secret: 'pw-gone' });
  await app.addHost(parseHost({ name: 'to-agent', hostname: 'b.example.com', auth: { method: 'password' } }), { secret: 'pw-agent' });
  await app.addHost(parseHost({ name: 'to-key', hostname: 'c.example.com', auth: { method: 'password' } }), { secret: 'pw-key' });
  await app.addHost(parseHost({ name: 'new-key', hostname: 'd.example.com', auth: { method: 'key', keyPath: '~/.ssh/id_old' } }), { secret: 'phrase-old' });
  await app.addHost(parseHost({ name: 'kept', hostname: 'e.example.com', auth: { method: 'password' } }), { secret: 'pw-kept' });
  await app.addForward(parseForward({ name: 'socks', kind: 'dynamic', listen: { host: '127.0.0.1', port: 1080 }, host: 'kept', socksUser: 'alice' }), {
    secret: 'socks-pw',
  });
  await app.addForward(parseForward({ name: 'socks2', kind: 'dynamic', listen: { host: '127.0.0.1', port: 1081 }, host: 'kept', socksUser: 'bob' }), {
    secret: 'socks-pw2',
  });
});
afterAll(() => {
  app?.close();
  rmSync(dir, { recursive: true, force: true });
});

const ref = (host: string) => app.requireHost(host).auth.secretRef!;

describe('the CLI forgets the secrets it orphans', () => {
  it('rm host, edit host --auth, another key file, rm forward, --no-socks-user', async () => {
    app.refresh();
    const refs = {
      gone: ref('gone'),
      agent: ref('to-agent'),
      key: ref('to-key'),
      newKey: ref('new-key'),
      kept: ref('kept'),
      socks: app.requireForward('socks').socksSecretRef!,
      socks2: app.requireForward('socks2').socksSecretRef!,
    };
    expect(Object.keys(entries()).sort()).toEqual(Object.values(refs).sort());

    for (const args of [
      ['rm', 'host', 'gone'],
      ['edit', 'host', 'to-agent', '--auth', 'agent'],
      ['edit', 'host', 'to-key', '--auth', 'key', '-i', '~/.ssh/id_new'],
      ['edit', 'host', 'new-key', '-i', '~/.ssh/id_new'],
      ['rm', 'forward', 'socks'],
      ['edit', 'forward', 'socks2', '--no-socks-user'],
      ['edit', 'host', 'kept', '--notes', 'still a password host'],
    ]) {
      const r = await cli(...args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    }

    // Only the secret still referenced is left, and the file holds no reference to a removed entry.
    expect(Object.keys(entries())).toEqual([refs.kept]);
    expect(statSync(secretsFilePath(dir)).mode & 0o777).toBe(0o600);
    app.refresh();
    expect(
      app
        .listHosts()
        .filter((h) => h.auth.secretRef)
        .map((h) => [h.name, h.auth.secretRef]),
    ).toEqual([['kept', refs.kept]]);
    expect(app.listForwards().filter((f) => f.socksSecretRef)).toEqual([]);
    expect(await app.hostSecret('kept')).toBe('pw-kept');
    // A password host that becomes a key host does not offer the old password as the key's passphrase.
    expect(app.requireHost('to-key').auth).toEqual({ method: 'key', keyPath: '~/.ssh/id_new' });
  }, 60_000);
});
