// The store binding of config.json: conf (the CLI, tests) and the app's
// electron-store write through the durable writer installed on conf's private
// `_write` (electron/profiles/conf-store.ts). These tests pin that seam: they
// fail when conf no longer writes through `_write`, and they check that the
// app's binding (electron/app/store.ts, under the fake of 'electron') is
// electron-store and writes through it too.
import { parseHost } from '../../../shared/model';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Conf from 'conf';
import { afterEach, describe, expect, it } from 'vitest';
import { createConfStore, makeDurable, storeOptions, type CreateStore, type StoreOptions } from '../../../electron/profiles/conf-store';
import { ProfileRepository } from '../../../electron/profiles/repository';
import { NoSecretStore } from '../../../electron/profiles/secrets';
import { ROOT } from '../../support/cli';

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'burrow-conf-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const mode = (p: string) => statSync(p).mode & 0o777;
const confOn = (dir: string) => new Conf<Record<string, unknown>>(storeOptions(dir, 'config'));

describe("conf's private write seam", () => {
  it('conf still has _write and _ensureDirectory on its prototype, and _serialize on an instance', () => {
    expect(typeof (Conf.prototype as unknown as Record<string, unknown>)._write).toBe('function');
    expect(typeof (Conf.prototype as unknown as Record<string, unknown>)._ensureDirectory).toBe('function');
    expect(typeof (confOn(tmp()) as unknown as Record<string, unknown>)._serialize).toBe('function');
  });

  it('setting .store goes through the installed writer: its check runs before the rename, the file is whole and 0600', () => {
    const dir = tmp();
    const conf = confOn(dir);
    const durable = makeDurable(conf);
    let checks = 0;
    const written = durable.write({ schemaVersion: 1, hosts: [] }, { beforeRename: () => void checks++ });
    expect(checks).toBe(1);
    const text = readFileSync(join(dir, 'config.json'), 'utf8');
    expect(text).toBe(JSON.stringify({ schemaVersion: 1, hosts: [] }, undefined, '\t'));
    expect(written).toBe(text);
    expect(mode(join(dir, 'config.json'))).toBe(0o600);
  });

  it('a write through conf that bypasses the repository (store =, set, delete) is refused and changes nothing', () => {
    const dir = tmp();
    const conf = confOn(dir);
    makeDurable(conf).write({ kept: true });
    const before = readFileSync(join(dir, 'config.json'), 'utf8');
    expect(() => (conf.store = { other: 1 })).toThrow(/written only by the profile repository/);
    expect(() => conf.set('x', 1)).toThrow(/written only by the profile repository/);
    expect(() => conf.delete('kept')).toThrow(/written only by the profile repository/);
    expect(readFileSync(join(dir, 'config.json'), 'utf8')).toBe(before);
  });

  it('a check that throws before the rename leaves the file and the folder as they were, and the next write works', () => {
    const dir = tmp();
    const durable = makeDurable(confOn(dir));
    durable.write({ n: 1 });
    const before = readFileSync(join(dir, 'config.json'), 'utf8');
    expect(() =>
      durable.write(
        { n: 2 },
        {
          beforeRename: () => {
            throw new Error('lock lost');
          },
        },
      ),
    ).toThrow('lock lost');
    expect(readFileSync(join(dir, 'config.json'), 'utf8')).toBe(before);
    expect(readdirSync(dir)).toEqual(['config.json']);
    durable.write({ n: 3 });
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'))).toEqual({ n: 3 });
  });

  it('a folder conf creates is private (0700)', () => {
    const parent = tmp();
    const dir = join(parent, 'Burrow');
    const conf = confOn(dir);
    makeDurable(conf);
    rmSync(dir, { recursive: true, force: true });
    expect(conf.store).toEqual({});
    expect(mode(dir)).toBe(0o700);
  });

  it('conf is created on a damaged file without throwing or touching it (the repository rescues it)', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'config.json'), '{"hosts": [');
    const conf = confOn(dir);
    expect(conf.store).toEqual({});
    expect(readFileSync(join(dir, 'config.json'), 'utf8')).toBe('{"hosts": [');
  });
});

describe('the repository over a store binding', () => {
  /** Like electron-store: a thin subclass of conf that takes configName as `name`. */
  class SubclassStore extends Conf<Record<string, unknown>> {
    constructor({ configName, ...options }: StoreOptions) {
      super({ ...options, configName });
    }
  }

  it('writes config.json through the store the factory gives it, created once with the options that keep conf out of the way', async () => {
    const dir = tmp();
    const made: { options: StoreOptions; store: SubclassStore }[] = [];
    const createStore: CreateStore = (options) => {
      const store = new SubclassStore(options);
      made.push({ options, store });
      return store;
    };
    let checks = 0;
    const repo = await ProfileRepository.open({ dir, secrets: new NoSecretStore(), createStore, beforeRename: () => void checks++ });
    await repo.addHost(parseHost({ name: 'a', hostname: 'a.example.com' }));
    await repo.addHost(parseHost({ name: 'b', hostname: 'b.example.com' }));
    expect(made).toHaveLength(1);
    expect(made[0].options).toMatchObject({ cwd: dir, configName: 'config', clearInvalidConfig: false, configFileMode: 0o600, watch: false });
    expect(made[0].options).not.toHaveProperty('schema');
    expect(made[0].options).not.toHaveProperty('defaults');
    expect(checks).toBe(2);
    // The instance the repository writes through is the durable one: a stray write through it is refused.
    expect(() => made[0].store.set('stray', 1)).toThrow(/written only by the profile repository/);
    const onDisk = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    expect(onDisk.hosts.map((h: { name: string }) => h.name)).toEqual(['a', 'b']);
    expect(onDisk).not.toHaveProperty('stray');
  });

  it('rescues a damaged file through conf: the copy kept aside, the repaired file written', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'config.json'), '{"schemaVersion": 1, "hosts": [{"name": "a", "hostname": "a.example.com"}');
    let made = 0;
    const repo = await ProfileRepository.open({ dir, secrets: new NoSecretStore(), createStore: (o) => (made++, createConfStore(o)) });
    expect(made).toBe(1);
    expect(repo.warnings.map((w) => w.code)).toEqual(['STORE_CORRUPT']);
    expect(existsSync(repo.warnings[0].movedTo!)).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).hosts.map((h: { name: string }) => h.name)).toEqual(['a']);
  });

  it('is created at the first write only: opening a valid file and reading it (burrow ls) never loads conf', async () => {
    const dir = tmp();
    let made = 0;
    const createStore: CreateStore = (o) => (made++, createConfStore(o));
    await (await ProfileRepository.open({ dir, secrets: new NoSecretStore(), createStore })).addHost(parseHost({ name: 'a', hostname: 'a.example.com' }));
    expect(made).toBe(1);
    const reader = await ProfileRepository.open({ dir, secrets: new NoSecretStore(), createStore });
    expect(reader.listHosts().map((h) => h.name)).toEqual(['a']);
    expect(made).toBe(1);
  });

  it('refuses a store that would write another file, and writes nothing', async () => {
    const dir = tmp();
    const repo = await ProfileRepository.open({ dir, secrets: new NoSecretStore(), createStore: (o) => createConfStore({ ...o, configName: 'elsewhere' }) });
    await expect(repo.addHost(parseHost({ name: 'a', hostname: 'a.example.com' }))).rejects.toThrow(/writes .*elsewhere\.json, not .*config\.json/);
    expect(readdirSync(dir).filter((n) => n.endsWith('.json'))).toEqual([]);
  });
});

describe("the app's binding (electron/app/store.ts) under the fake of 'electron'", () => {
  it('is electron-store, and the repository writes through it durably', () => {
    const dir = tmp();
    const record = join(dir, 'electron-calls.json');
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        join(ROOT, 'test/support/electron-fake/register.mjs'),
        join(ROOT, 'bin/run-ts.mjs'),
        join(ROOT, 'test/support/electron-store-writer.ts'),
        join(dir, 'cfg'),
        'h1',
      ],
      { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, BURROW_FAKE_USER_DATA: join(dir, 'userData'), BURROW_FAKE_RECORD: record } },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const seen = JSON.parse(r.stdout);
    expect(seen).toMatchObject({ storeClass: 'ElectronStore', isConf: true, path: join(dir, 'cfg', 'config.json'), checks: 1, hosts: ['h1'] });
    expect(seen.bypass).toMatch(/written only by the profile repository/);
    expect(mode(join(dir, 'cfg'))).toBe(0o700);
    expect(mode(join(dir, 'cfg', 'config.json'))).toBe(0o600);
    const calls = JSON.parse(readFileSync(record, 'utf8')) as { api: string; args: unknown[] }[];
    expect(calls.filter((c) => c.api === 'ipcMain.on')).toEqual([{ api: 'ipcMain.on', args: ['electron-store-get-data'] }]);
    expect(calls.filter((c) => c.api === 'unfaked')).toEqual([]);
  }, 60_000);
});
