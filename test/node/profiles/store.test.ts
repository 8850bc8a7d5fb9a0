// The profile store: migrations, concurrent writers, corrupt files, secrets on disk.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { ProfileRepository, type ProfileChange } from '../../../electron/profiles/repository';
import { MemorySecretStore, NoSecretStore } from '../../../electron/profiles/secrets';
import { migrate } from '../../../electron/profiles/migrations';
import { SCHEMA_VERSION, parseDocument, parseForward, parseHost } from '../../../shared/model';
import { defaultConfigDir } from '../../../electron/profiles/paths';

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'burrow-profiles-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const LEGACY = {
  windowBounds: { width: 800, height: 600 },
  keepAlive: 30,
  tunnels: [
    { name: 'pop3', server: 'me@other.example.com:2222', spec: '-L 1100:mail.example.com:110', password: 'hunter2-legacy', autostart: true, group: 'mail' },
    { name: 'imap', server: 'me@other.example.com:2222', spec: '-L 1143:mail.example.com:143', password: 'hunter2-legacy' },
    { name: 'socks', server: 'proxy.example.com', spec: '-D 1080', identityFile: '~/.ssh/id_ed25519' },
    { name: 'broken', server: 'x y', spec: '-L 1:a:1' },
    { name: 'badspec', server: 'a.example.com', spec: '-L 70000:a:1' },
  ],
};

describe('paths', () => {
  it('uses Electron userData for Burrow on each platform', () => {
    expect(defaultConfigDir({ XDG_CONFIG_HOME: '/x' }, 'linux', '/h')).toBe('/x/Burrow');
    expect(defaultConfigDir({}, 'linux', '/h')).toBe('/h/.config/Burrow');
    expect(defaultConfigDir({}, 'darwin', '/h')).toBe('/h/Library/Application Support/Burrow');
    expect(defaultConfigDir({ APPDATA: 'C:\\AppData' }, 'win32', '/h')).toBe(join('C:\\AppData', 'Burrow'));
  });

  it('honours BURROW_CONFIG_DIR', async () => {
    const dir = tmp();
    const repo = await ProfileRepository.open({ secrets: new NoSecretStore(), env: { BURROW_CONFIG_DIR: dir } });
    expect(repo.path).toBe(join(dir, 'config.json'));
  });
});

describe('migrations', () => {
  it('v0 (prototype tunnels) -> v2: hosts, forwards, settings, secrets out of the document', () => {
    let n = 0;
    const r = migrate(structuredClone(LEGACY), { newSecretRef: () => `ref-${++n}` });
    const doc = parseDocument(r.doc);
    expect(doc.schemaVersion).toBe(2);
    expect(doc.hosts.map((h) => [h.name, h.hostname, h.port, h.user, h.auth.method])).toEqual([
      ['other.example.com', 'other.example.com', 2222, 'me', 'password'],
      ['proxy.example.com', 'proxy.example.com', 22, undefined, 'key'],
    ]);
    expect(doc.forwards.map((f) => [f.name, f.kind, f.listen, f.kind === 'dynamic' ? undefined : f.target, f.host, f.autostart, f.group])).toEqual([
      ['pop3', 'local', { host: '127.0.0.1', port: 1100 }, { host: 'mail.example.com', port: 110 }, 'other.example.com', true, 'mail'],
      ['imap', 'local', { host: '127.0.0.1', port: 1143 }, { host: 'mail.example.com', port: 143 }, 'other.example.com', false, undefined],
      ['socks', 'dynamic', { host: '127.0.0.1', port: 1080 }, undefined, 'proxy.example.com', false, undefined],
    ]);
    expect(doc.settings.keepalive).toEqual({ interval: 30, countMax: 3 });
    expect(r.secrets).toEqual([{ ref: 'ref-1', value: 'hunter2-legacy', subject: "host 'other.example.com'" }]);
    expect(JSON.stringify(r.doc)).not.toContain('hunter2');
    expect(r.notes.join('\n')).toMatch(/Skipped tunnel 'broken': its server 'x y' is not user@host\[:port\]/);
    expect(r.notes.join('\n')).toMatch(/Skipped tunnel 'badspec': .*Local port must be between 1 and 65535 \(got 70000\)/);
    expect((r.doc as Record<string, unknown>).windowBounds).toEqual({ width: 800, height: 600 });
  });

  it('v0 empty file (fresh electron-store) -> an empty document of the current version', () => {
    const r = migrate({}, { newSecretRef: () => 'x' });
    expect(r.from).toBe(0);
    expect(parseDocument(r.doc)).toMatchObject({ schemaVersion: SCHEMA_VERSION, hosts: [], forwards: [] });
  });

  it('opening a v0 file migrates it on disk; passwords go to the secret store, never the file', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'config.json'), JSON.stringify(LEGACY));
    const secrets = new MemorySecretStore();
    const repo = await ProfileRepository.open({ dir, secrets });
    expect(repo.warnings.map((w) => w.code)).toEqual(['STORE_MIGRATED']);
    expect(repo.warnings[0].message).toMatch(/from schema version 0 to 2.*moved from the file to the secret store/);
    const text = readFileSync(repo.path, 'utf8');
    expect(text).not.toContain('hunter2');
    expect(JSON.parse(text).schemaVersion).toBe(2);
    expect(JSON.parse(text).windowBounds).toEqual({ width: 800, height: 600 });
    expect(await repo.hostSecret('other.example.com')).toBe('hunter2-legacy');
  });

  it('without a secret store, a legacy password is dropped and the person told', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'config.json'), JSON.stringify(LEGACY));
    const repo = await ProfileRepository.open({ dir, secrets: new NoSecretStore() });
    expect(repo.warnings[0].message).toMatch(/password of host 'other.example.com' was removed from the file .* you will be asked for it/);
    expect(readFileSync(repo.path, 'utf8')).not.toContain('hunter2');
    expect(repo.getHost('other.example.com')!.auth.secretRef).toBeUndefined();
  });

  it('v1 (flat forward endpoints) -> v2 (nested listen/target): every forward and field kept, the file rewritten once', async () => {
    const dir = tmp();
    const host = { name: 'lab', hostname: 'lab.example.com', port: 22, auth: { method: 'agent' }, jump: [], strictHostKeyChecking: 'ask' };
    const common = { host: 'lab', autostart: false, tags: [] };
    const v1 = {
      schemaVersion: 1,
      hosts: [host],
      forwards: [
        {
          name: 'pop3',
          kind: 'local',
          port: 1100,
          destinationHost: 'mail.example.com',
          destinationPort: 110,
          ...common,
          autostart: true,
          group: 'mail',
          tags: ['x', 'y'],
          notes: 'n',
        },
        { name: 'all', kind: 'local', bindAddress: '', port: 8080, destinationSocket: '/run/app.sock', ...common },
        { name: 'from-sock', kind: 'local', listenSocket: '/tmp/l.sock', destinationHost: 'db', destinationPort: 5432, ...common },
        { name: 'back', kind: 'remote', port: 0, destinationHost: 'localhost', destinationPort: 22, ...common },
        { name: 'back-v6', kind: 'remote', bindAddress: '::1', port: 9000, destinationSocket: '/run/x.sock', ...common },
        { name: 'socks', kind: 'dynamic', bindAddress: '0.0.0.0', port: 1080, ...common, socksUser: 'alice', socksSecretRef: 'burrow:forward:kept' },
      ],
      settings: { launchAtLogin: true, startHidden: false, notifications: false, keepalive: { interval: 20, countMax: 4 } },
      windowBounds: { width: 800, height: 600 },
    };
    writeFileSync(join(dir, 'config.json'), JSON.stringify(v1));
    const secrets = new MemorySecretStore();
    await secrets.set('burrow:forward:kept', 'socks-pw');
    const repo = await ProfileRepository.open({ dir, secrets });
    expect(repo.warnings.map((w) => [w.code, w.message])).toEqual([['STORE_MIGRATED', `Updated the profile file ${repo.path} from schema version 1 to 2.`]]);
    const onDisk = JSON.parse(readFileSync(repo.path, 'utf8'));
    expect(onDisk.schemaVersion).toBe(2);
    expect(onDisk.windowBounds).toEqual({ width: 800, height: 600 });
    expect(onDisk.settings).toEqual(v1.settings);
    expect(onDisk.hosts).toEqual([host]);
    expect(onDisk.forwards).toEqual([
      {
        name: 'pop3',
        kind: 'local',
        listen: { host: '127.0.0.1', port: 1100 },
        target: { host: 'mail.example.com', port: 110 },
        ...common,
        autostart: true,
        group: 'mail',
        tags: ['x', 'y'],
        notes: 'n',
      },
      { name: 'all', kind: 'local', listen: { host: '', port: 8080 }, target: { path: '/run/app.sock' }, ...common },
      { name: 'from-sock', kind: 'local', listen: { path: '/tmp/l.sock' }, target: { host: 'db', port: 5432 }, ...common },
      { name: 'back', kind: 'remote', listen: { host: 'localhost', port: 0 }, target: { host: 'localhost', port: 22 }, ...common },
      { name: 'back-v6', kind: 'remote', listen: { host: '::1', port: 9000 }, target: { path: '/run/x.sock' }, ...common },
      { name: 'socks', kind: 'dynamic', listen: { host: '0.0.0.0', port: 1080 }, ...common, socksUser: 'alice', socksSecretRef: 'burrow:forward:kept' },
    ]);
    expect(repo.document().forwards).toEqual(onDisk.forwards);
    expect(await repo.forwardSecret('socks')).toBe('socks-pw');
    // Opened again: nothing left to migrate.
    const again = await ProfileRepository.open({ dir, secrets });
    expect(again.warnings).toEqual([]);
  });

  it('a v1 forward that does not fit v2 is kept aside with the file, not dropped silently', async () => {
    const dir = tmp();
    const v1 = {
      schemaVersion: 1,
      hosts: [{ name: 'lab', hostname: 'lab.example.com' }],
      forwards: [
        { name: 'ok', kind: 'local', port: 1100, destinationHost: 'm', destinationPort: 110, host: 'lab' },
        { name: 'both', kind: 'local', port: 1101, listenSocket: '/l', destinationHost: 'm', destinationPort: 110, host: 'lab' },
      ],
    };
    writeFileSync(join(dir, 'config.json'), JSON.stringify(v1));
    const repo = await ProfileRepository.open({ dir, secrets: new NoSecretStore() });
    const w = repo.warnings.find((x) => x.code === 'STORE_CORRUPT')!;
    expect(JSON.parse(readFileSync(w.movedTo!, 'utf8'))).toEqual(v1);
    expect(repo.listForwards().map((f) => f.name)).toEqual(['ok']);
  });

  it('a file from a newer schema (unknown forward shape and fields) is shown as far as it can be and left byte for byte', async () => {
    const dir = tmp();
    const newer = JSON.stringify({
      schemaVersion: SCHEMA_VERSION + 1,
      hosts: [{ name: 'a', hostname: 'a.example.com' }],
      forwards: [
        { name: 'f', kind: 'local', listen: { host: '127.0.0.1', port: 1 }, target: { host: 'x', port: 2 }, host: 'a', healthCheck: true, future: { x: 1 } },
      ],
      futureSection: [1, 2, 3],
    });
    writeFileSync(join(dir, 'config.json'), newer);
    const repo = await ProfileRepository.open({ dir, secrets: new NoSecretStore() });
    expect(repo.warnings.map((w) => w.code)).toEqual(['STORE_NEWER']);
    expect(repo.listForwards().map((f) => f.name)).toEqual(['f']);
    await expect(repo.removeForward('f')).rejects.toThrow(/written by a newer Burrow/);
    expect(readFileSync(join(dir, 'config.json'), 'utf8')).toBe(newer);
  });

  it('a file from a newer Burrow is read but never written', async () => {
    const dir = tmp();
    const newer = { schemaVersion: 99, hosts: [{ name: 'a', hostname: 'a.example.com' }], forwards: [] };
    writeFileSync(join(dir, 'config.json'), JSON.stringify(newer));
    const repo = await ProfileRepository.open({ dir, secrets: new NoSecretStore() });
    expect(repo.warnings[0].code).toBe('STORE_NEWER');
    expect(repo.listHosts().map((h) => h.name)).toEqual(['a']);
    await expect(repo.addHost(parseHost({ name: 'b', hostname: 'b' }))).rejects.toThrow(/written by a newer Burrow \(schema version 99/);
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).schemaVersion).toBe(99);
  });
});

describe('corrupt files', () => {
  it('unreadable JSON is moved aside, recovered where possible, and the person told where it went', async () => {
    const dir = tmp();
    const good = {
      schemaVersion: 1,
      hosts: [
        { name: 'a', hostname: 'a.example.com' },
        { name: 'b', hostname: 'b.example.com' },
      ],
      forwards: [],
    };
    const text = JSON.stringify(good);
    const truncated = text.slice(0, text.indexOf('"b.example.com"') + 5); // a torn write
    writeFileSync(join(dir, 'config.json'), truncated);
    const repo = await ProfileRepository.open({ dir, secrets: new NoSecretStore() });
    const w = repo.warnings.find((x) => x.code === 'STORE_CORRUPT')!;
    expect(w.movedTo).toMatch(/config\.corrupt-\d{4}-\d\d-\d\dT[\d-]+Z\.json$/);
    expect(readFileSync(w.movedTo!, 'utf8')).toBe(truncated);
    expect(w.message).toContain(`It was moved to ${w.movedTo}`);
    expect(repo.getHost('a')).toBeDefined();
    // The store works again.
    await repo.addHost(parseHost({ name: 'c', hostname: 'c.example.com' }));
    expect(JSON.parse(readFileSync(repo.path, 'utf8')).hosts.map((h: { name: string }) => h.name)).toContain('c');
  });

  it('garbage is moved aside and start-up continues empty', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'config.json'), '\u0000\u0001 not json at all {{{');
    const repo = await ProfileRepository.open({ dir, secrets: new NoSecretStore() });
    expect(repo.warnings[0].code).toBe('STORE_CORRUPT');
    expect(repo.listHosts()).toEqual([]);
    expect(readdirSync(dir).filter((f) => f.includes('.corrupt-'))).toHaveLength(1);
  });

  it('entries that break the schema are dropped, the rest kept, the original preserved', async () => {
    const dir = tmp();
    const bad = {
      schemaVersion: SCHEMA_VERSION,
      hosts: [
        { name: 'ok', hostname: 'ok.example.com' },
        { name: 'bad', hostname: 'x', port: 99999 },
      ],
      forwards: [
        { name: 'f1', kind: 'local', listen: { host: '127.0.0.1', port: 1100 }, target: { host: 'm', port: 110 }, host: 'ok' },
        { name: 'f2', kind: 'local', listen: { host: '127.0.0.1', port: 1101 }, target: { host: 'm', port: 110 }, host: 'bad' },
      ],
    };
    writeFileSync(join(dir, 'config.json'), JSON.stringify(bad));
    const repo = await ProfileRepository.open({ dir, secrets: new NoSecretStore() });
    const w = repo.warnings[0];
    expect(w.code).toBe('STORE_CORRUPT');
    expect(w.message).toMatch(/host 'bad': SSH port must be between 1 and 65535 \(got 99999\)/);
    expect(w.message).toMatch(/forward 'f2': Forward 'f2' goes through host 'bad', which does not exist/);
    expect(repo.listForwards().map((f) => f.name)).toEqual(['f1']);
    expect(JSON.parse(readFileSync(w.movedTo!, 'utf8'))).toEqual(bad);
  });
});

describe('concurrent writers', () => {
  it("two repositories on one file: each sees and keeps the other's writes", async () => {
    const dir = tmp();
    const a = await ProfileRepository.open({ dir, secrets: new NoSecretStore() });
    const b = await ProfileRepository.open({ dir, secrets: new NoSecretStore() });
    const seen: ProfileChange[] = [];
    b.subscribe((c) => seen.push(c));
    await a.addHost(parseHost({ name: 'from-a', hostname: 'a.example.com' }));
    await b.addHost(parseHost({ name: 'from-b', hostname: 'b.example.com' })); // b's view was stale: it must reload, not overwrite
    expect(seen.map((c) => c.source)).toEqual(['external', 'local']);
    await Promise.all([
      ...Array.from({ length: 20 }, (_, i) => a.addHost(parseHost({ name: `a${i}`, hostname: 'h' }))),
      ...Array.from({ length: 20 }, (_, i) => b.addHost(parseHost({ name: `b${i}`, hostname: 'h' }))),
    ]);
    const names = a.listHosts().map((h) => h.name);
    expect(names).toHaveLength(42);
    await expect(a.addHost(parseHost({ name: 'from-b', hostname: 'x' }))).rejects.toThrow(
      "A host named 'from-b' already exists; pick another name or edit it.",
    );
  });

  it('two processes writing at once lose nothing', async () => {
    const dir = tmp();
    const run = promisify(execFile);
    const writer = (prefix: string) => run(process.execPath, ['bin/run-ts.mjs', 'test/support/profile-writer.ts', dir, prefix, '15'], { cwd: process.cwd() });
    await Promise.all([writer('p'), writer('q')]);
    const repo = await ProfileRepository.open({ dir, secrets: new NoSecretStore() });
    const names = repo
      .listHosts()
      .map((h) => h.name)
      .sort();
    expect(names).toHaveLength(30);
    expect(names.filter((n) => n.startsWith('p-'))).toHaveLength(15);
    expect(names.filter((n) => n.startsWith('q-'))).toHaveLength(15);
  }, 60_000);

  it("watch() reports another process's write", async () => {
    const dir = tmp();
    const a = await ProfileRepository.open({ dir, secrets: new NoSecretStore() });
    const b = await ProfileRepository.open({ dir, secrets: new NoSecretStore() });
    const stop = b.watch();
    const got = new Promise<ProfileChange>((resolve) => b.subscribe(resolve));
    await a.addHost(parseHost({ name: 'x', hostname: 'x.example.com' }));
    const change = await got;
    stop();
    expect(change.source).toBe('external');
    expect(change.document.hosts.map((h) => h.name)).toEqual(['x']);
  });
});

describe('secrets', () => {
  it('a saved password is in the secret store, and the file holds only a reference', async () => {
    const dir = tmp();
    const secrets = new MemorySecretStore();
    const repo = await ProfileRepository.open({ dir, secrets });
    const PASSWORD = 'correct-horse-battery-staple-93';
    const r = await repo.addHost(parseHost({ name: 'db', hostname: 'db.example.com', auth: { method: 'password' } }), { secret: PASSWORD });
    expect(r.warnings).toEqual([]);
    const bytes = readFileSync(repo.path);
    expect(bytes.includes(Buffer.from(PASSWORD))).toBe(false);
    expect(bytes.includes(Buffer.from(r.value.auth.secretRef!))).toBe(true);
    expect(await repo.hostSecret('db')).toBe(PASSWORD);
    // Secrets cannot be smuggled in as a reference, and are forgotten with the host.
    await repo.replaceHost('db', { ...repo.requireHost('db'), auth: { method: 'agent', secretRef: 'evil' } });
    expect(repo.getHost('db')!.auth.secretRef).toBeUndefined();
    expect(secrets.values.size).toBe(0);
  });

  it('without a secret store nothing is stored and the caller gets a warning', async () => {
    const repo = await ProfileRepository.open({ dir: tmp(), secrets: new NoSecretStore() });
    const r = await repo.addHost(parseHost({ name: 'db', hostname: 'db.example.com', auth: { method: 'password' } }), { secret: 'pw-not-kept-123' });
    expect(r.warnings[0].message).toBe(
      "No safe secret store is available here, so the password of host 'db' was not saved; it will be asked for at each connection.",
    );
    expect(readFileSync(repo.path, 'utf8')).not.toContain('pw-not-kept-123');
  });
});

describe('repository rules', () => {
  it('renames carry over to forwards and jump lists; hosts in use cannot be removed', async () => {
    const repo = await ProfileRepository.open({ dir: tmp(), secrets: new NoSecretStore() });
    await repo.addHost(parseHost({ name: 'bastion', hostname: 'b.example.com' }));
    await repo.addHost(parseHost({ name: 'db', hostname: '10.0.0.5', jump: ['bastion'] }));
    for (const n of ['a', 'b', 'c'])
      await repo.addForward(
        parseForward({
          name: n,
          kind: 'local',
          listen: { host: '127.0.0.1', port: 5000 + n.charCodeAt(0) },
          target: { host: 'localhost', port: 5432 },
          host: 'db',
        }),
      );
    await expect(repo.removeHost('db')).rejects.toThrow("Host 'db' is used by 3 forwards (a, b, c); remove or move them first.");
    await expect(repo.removeHost('bastion')).rejects.toThrow("Host 'bastion' is the jump host of db; remove or move it first.");
    await repo.replaceHost('bastion', { ...repo.requireHost('bastion'), name: 'jump' });
    expect(repo.getHost('db')!.jump).toEqual(['jump']);
    await repo.replaceHost('db', { ...repo.requireHost('db'), name: 'database' });
    expect(repo.listForwards().every((f) => f.host === 'database')).toBe(true);
    await expect(
      repo.addForward(parseForward({ name: 'd', kind: 'local', listen: { host: '127.0.0.1', port: 1 }, target: { host: 'x', port: 1 }, host: 'nope' })),
    ).rejects.toThrow("Forward 'd' goes through host 'nope', which does not exist; add that host first or pick another.");
    await expect(repo.removeForward('zzz')).rejects.toThrow("No forward named 'zzz'. Saved forwards: a, b, c.");
    expect((await repo.updateSettings({ startHidden: true })).startHidden).toBe(true);
    expect(existsSync(repo.path)).toBe(true);
  });
});
