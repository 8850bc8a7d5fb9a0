// The profile file never loses an acknowledged change: a full disk (a real
// tmpfs), a damaged schemaVersion, a writer frozen past the lock's staleness
// (SIGSTOP) or killed while holding it (kill -9), leftover temporary files,
// file modes, and a folder this user cannot write (a real second user).
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { withFileLock } from '../../../electron/profiles/file-lock';
import { ProfileRepository } from '../../../electron/profiles/repository';
import { RuntimeStatusPublisher, readRuntimeStatuses, runningDir } from '../../../electron/profiles/runtime-status';
import { NoSecretStore } from '../../../electron/profiles/secrets';
import { ProfileDocumentSchema, SCHEMA_VERSION, parseHost } from '../../../shared/model';
import { BURROW, ROOT, burrow } from '../../support/cli';

const isRoot = process.getuid?.() === 0;

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'burrow-durable-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Runs the real `burrow` command on profile folder `dir`. */
async function run(dir: string, args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const r = burrow(args, { env: { BURROW_CONFIG_DIR: dir } });
  const code = await r.exited;
  return { code, out: r.stdout(), err: r.stderr() };
}

/** The file parses and matches the profile schema (our keys only). */
function validDocument(text: string) {
  const { schemaVersion, hosts, forwards, settings } = JSON.parse(text);
  return ProfileDocumentSchema.parse({ schemaVersion, hosts, forwards, settings });
}

async function until(cond: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function exited(p: ChildProcess): Promise<number | null> {
  return p.exitCode !== null ? Promise.resolve(p.exitCode) : new Promise((r) => p.on('exit', (code) => r(code)));
}

/** test/support/frozen-writer.ts: adds host `name`, pausing under the lock just before its rename until `go` exists. */
function frozenWriter(dir: string, name: string) {
  const marker = join(dir, `${name}.holding`);
  const go = join(dir, `${name}.go`);
  let err = '';
  const proc = spawn(process.execPath, [join(ROOT, 'bin/run-ts.mjs'), join(ROOT, 'test/support/frozen-writer.ts'), dir, name, marker, go], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  proc.stderr!.on('data', (d) => (err += d));
  return { proc, marker, go, stderr: () => err };
}

async function seed(dir: string, hosts: string[]): Promise<void> {
  const repo = await ProfileRepository.open({ dir, secrets: new NoSecretStore() });
  for (const name of hosts) await repo.addHost(parseHost({ name, hostname: `${name}.example.com` }));
}

const hostNames = (dir: string) =>
  validDocument(readFileSync(join(dir, 'config.json'), 'utf8'))
    .hosts.map((h) => h.name)
    .sort();

describe.skipIf(!isRoot)('a full disk (48 KiB tmpfs)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'burrow-full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=48k,mode=0700', 'tmpfs', dir]);
  });
  afterAll(() => {
    execFileSync('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('each command either saved its change in a valid file or said the disk is full and changed nothing', async () => {
    const file = join(dir, 'config.json');
    expect((await run(dir, ['add', 'host', 'h0', '127.0.0.1', '-p', '2'])).code).toBe(0);
    let last = readFileSync(file);
    let saved = 0;
    let refused = 0;
    for (let n = 1; n <= 35; n++) {
      const r = await run(dir, ['add', 'forward', `f${n}`, '-L', `${30000 + n}:127.0.0.1:9`, '--via', 'h0', '--notes', 'x'.repeat(600)]);
      const now = readFileSync(file);
      const doc = validDocument(now.toString('utf8'));
      if (r.code === 0) {
        saved++;
        expect(doc.forwards.map((f) => f.name)).toContain(`f${n}`);
      } else {
        refused++;
        expect({ code: r.code, err: r.err }).toMatchObject({ code: 1, err: expect.stringContaining('the disk is full: nothing was changed') });
        expect(now.equals(last), `f${n} was refused but config.json changed`).toBe(true);
      }
      last = now;
    }
    // The disk did fill up, and nothing was left behind by the refused writes.
    expect(saved).toBeGreaterThan(5);
    expect(refused).toBeGreaterThan(0);
    expect(readdirSync(dir).filter((n) => n !== 'config.json')).toEqual([]);
    const ls = await run(dir, ['ls']);
    expect(ls.code).toBe(0);
    expect(ls.out).toContain('h0');
    expect(ls.out).toContain(`f${saved}`);
  }, 600_000);
});

describe('a damaged schemaVersion', () => {
  const original = () => ({
    schemaVersion: SCHEMA_VERSION,
    hosts: [{ name: 'web', hostname: 'web.example.com', port: 22, auth: { method: 'agent' }, jump: [] }],
    forwards: [
      {
        name: 'db',
        kind: 'local',
        listen: { host: '127.0.0.1', port: 15432 },
        target: { host: 'db.internal', port: 5432 },
        host: 'web',
        autostart: false,
        tags: [],
      },
    ],
    settings: {},
  });

  for (const [what, damage] of [
    ['missing', (text: string) => text.replace(new RegExp(`^\\s*"schemaVersion": ${SCHEMA_VERSION},\n`, 'm'), '')],
    ['a string', (text: string) => text.replace(`"schemaVersion": ${SCHEMA_VERSION}`, `"schemaVersion": "${SCHEMA_VERSION}"`)],
  ] as const) {
    it(`${what}: the file is kept aside, the hosts and forwards that validate are kept`, async () => {
      const dir = tmp();
      const file = join(dir, 'config.json');
      const damaged = damage(JSON.stringify(original(), undefined, '\t'));
      expect(damaged).not.toContain(`"schemaVersion": ${SCHEMA_VERSION},`);
      writeFileSync(file, damaged);
      const r = await run(dir, ['ls']);
      expect(r.code).toBe(0);
      expect(r.out).toContain('web');
      expect(r.out).toContain('db');
      expect(r.err).toMatch(
        /warning: The profile file .*config\.json could not be read \(its schemaVersion is (missing|not a version number \("2"\))\)\. It was moved to .*config\.corrupt-.*\.json; 1 host\(s\) and 1 forward\(s\) were recovered/,
      );
      const aside = readdirSync(dir).filter((n) => n.startsWith('config.corrupt-'));
      expect(aside).toHaveLength(1);
      expect(readFileSync(join(dir, aside[0]), 'utf8')).toBe(damaged);
      const doc = validDocument(readFileSync(file, 'utf8'));
      expect(doc.schemaVersion).toBe(SCHEMA_VERSION);
      expect(doc.hosts.map((h) => h.name)).toEqual(['web']);
      expect(doc.forwards.map((f) => f.name)).toEqual(['db']);
    }, 60_000);
  }
});

describe('writers that stop while holding the lock', () => {
  it('a writer frozen (SIGSTOP) past the lock staleness redoes its change on the file another writer saved meanwhile', async () => {
    const dir = tmp();
    await seed(dir, ['base']);
    const frozen = frozenWriter(dir, 'frozen');
    try {
      await until(() => existsSync(frozen.marker), 'the writer to hold the lock');
      process.kill(frozen.proc.pid!, 'SIGSTOP');
      // Another writer waits out the staleness (10 s), takes the lock over and saves its change.
      const other = await run(dir, ['add', 'host', 'other', '127.0.0.2']);
      expect(other).toMatchObject({ code: 0 });
      expect(hostNames(dir)).toEqual(['base', 'other']);
      // The frozen writer wakes up still about to rename its file, which was made from what it read before 'other'.
      writeFileSync(frozen.go, '');
      process.kill(frozen.proc.pid!, 'SIGCONT');
      expect(await exited(frozen.proc)).toBe(0);
      expect(frozen.stderr()).toBe('');
      expect(hostNames(dir)).toEqual(['base', 'frozen', 'other']);
      expect(readdirSync(dir).filter((n) => n.includes('.tmp-') || n.endsWith('.lock'))).toEqual([]);
    } finally {
      frozen.proc.kill('SIGKILL');
    }
  }, 120_000);

  it('a holder killed with kill -9 is taken over at once, and its temporary file removed', async () => {
    const dir = tmp();
    await seed(dir, ['base']);
    const killed = frozenWriter(dir, 'killed');
    await until(() => existsSync(killed.marker), 'the writer to hold the lock');
    process.kill(killed.proc.pid!, 'SIGKILL');
    await exited(killed.proc);
    const left = readdirSync(dir);
    expect(left).toContain('config.json.lock');
    expect(left.filter((n) => n.startsWith(`config.json.tmp-${killed.proc.pid}-`))).toHaveLength(1);
    // Staleness by age would take ten minutes here: only knowing the holder is dead lets this through.
    const repo = await ProfileRepository.open({ dir, secrets: new NoSecretStore(), lock: { staleMs: 600_000, timeoutMs: 20_000 } });
    await repo.addHost(parseHost({ name: 'after', hostname: 'after.example.com' }));
    expect(hostNames(dir)).toEqual(['after', 'base']);
    expect(readdirSync(dir).filter((n) => n.includes('.tmp-') || n.endsWith('.lock'))).toEqual([]);
  }, 60_000);

  it('a file changed by another process without the lock (an editor, an older Burrow) just before the rename: the change is redone on it', async () => {
    const dir = tmp();
    const file = join(dir, 'config.json');
    await seed(dir, ['base']);
    let edited = false;
    const repo = await ProfileRepository.open({
      dir,
      secrets: new NoSecretStore(),
      beforeRename: () => {
        if (edited) return;
        edited = true;
        const doc = JSON.parse(readFileSync(file, 'utf8'));
        doc.hosts.push({ name: 'edited', hostname: 'e.example.com', port: 22, auth: { method: 'agent' }, jump: [] });
        writeFileSync(file, JSON.stringify(doc));
      },
    });
    await repo.addHost(parseHost({ name: 'mine', hostname: 'm.example.com' }));
    expect(edited).toBe(true);
    expect(hostNames(dir)).toEqual(['base', 'edited', 'mine']);
  });
});

describe('the lock', () => {
  it('waiting for a live holder stops on an AbortSignal (Ctrl-C), and gives up after timeoutMs saying who holds it', async () => {
    const dir = tmp();
    const file = join(dir, 'config.json');
    let letGo!: () => void;
    const holding = withFileLock(file, () => new Promise<void>((r) => (letGo = r)));
    await until(() => existsSync(`${file}.lock`), 'the lock');
    const ctl = new AbortController();
    const waiting = withFileLock(file, () => 'got it', { signal: ctl.signal });
    ctl.abort(new Error('interrupted'));
    await expect(waiting).rejects.toThrow('interrupted');
    await expect(withFileLock(file, () => 'got it', { timeoutMs: 300 })).rejects.toThrow(
      `The profiles are locked by Burrow process ${process.pid} (${file}.lock) and it has not let go for 0.3 s; nothing was changed.`,
    );
    letGo();
    await holding;
    expect(await withFileLock(file, () => 'got it')).toBe('got it');
  });
});

describe.skipIf(process.platform === 'win32')('file modes and leftovers', () => {
  it('config.json, its folder and running/*.json are private to the user; temporary files of dead writers are removed', async () => {
    const parent = tmp();
    const dir = join(parent, 'Burrow');
    await seed(dir, ['base']);
    const mode = (p: string) => statSync(p).mode & 0o777;
    expect(mode(dir)).toBe(0o700);
    expect(mode(join(dir, 'config.json'))).toBe(0o600);

    // An existing world-readable file and folder (an older Burrow) are tightened on the next write.
    chmodSync(dir, 0o755);
    chmodSync(join(dir, 'config.json'), 0o644);
    // Leftovers: ours of a dead writer, ours of a live one (this process, mid-write), conf's of an hour ago.
    const dead = spawn(process.execPath, ['-e', '']);
    await exited(dead);
    writeFileSync(join(dir, `config.json.tmp-${dead.pid}-0a1b2c3d`), '{"half":');
    writeFileSync(join(dir, `config.json.tmp-${process.pid}-0a1b2c3d`), '{"half":');
    const confTemp = join(dir, 'config.json.tmp-17333000000001a2b3c');
    writeFileSync(confTemp, '{"half":');
    const hourAgo = new Date(Date.now() - 3_600_000);
    const { utimesSync } = await import('node:fs');
    utimesSync(confTemp, hourAgo, hourAgo);

    const r = await run(dir, ['add', 'host', 'second', '127.0.0.2']);
    expect(r.code).toBe(0);
    expect(mode(dir)).toBe(0o700);
    expect(mode(join(dir, 'config.json'))).toBe(0o600);
    expect(readdirSync(dir).filter((n) => n.includes('.tmp-'))).toEqual([`config.json.tmp-${process.pid}-0a1b2c3d`]);

    const publisher = new RuntimeStatusPublisher(dir, 'web');
    publisher.publish([]);
    expect(mode(runningDir(dir))).toBe(0o700);
    expect(mode(publisher.file)).toBe(0o600);
    writeFileSync(join(runningDir(dir), `${dead.pid}-web.json.tmp-${dead.pid}-00ff`), '{');
    expect(readRuntimeStatuses(dir).map((s) => s.pid)).toEqual([process.pid]);
    expect(readdirSync(runningDir(dir))).toEqual([`${process.pid}-web.json`]);
    publisher.remove();
  }, 60_000);
});

describe.skipIf(!isRoot)('a folder this user can read but not write', () => {
  const user = 'burrowtest';
  let created = false;
  /** Whether that user can run this checkout at all (it may sit in root's home). */
  let canRun = false;
  beforeAll(() => {
    try {
      execFileSync('id', [user], { stdio: 'ignore' });
    } catch {
      execFileSync('useradd', ['--no-create-home', '--shell', '/usr/sbin/nologin', user]);
      created = true;
    }
    canRun = spawnSync('runuser', ['-u', user, '--', process.execPath, '-e', `require('fs').accessSync(${JSON.stringify(BURROW)}, 4)`]).status === 0;
  });
  afterAll(() => {
    if (created) execFileSync('userdel', [user]);
  });
  const needsAccess = (ctx: { skip: (note?: string) => void }) => {
    if (!canRun) ctx.skip(`user ${user} cannot read ${BURROW}`);
  };

  /** The real `burrow` command as that user. */
  function runAs(dir: string, args: string[]): { code: number | null; out: string; err: string } {
    const r = spawnSync('runuser', ['-u', user, '--', 'env', `BURROW_CONFIG_DIR=${dir}`, 'HOME=/nonexistent', process.execPath, BURROW, ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { code: r.status, out: r.stdout, err: r.stderr };
  }

  it('ls works read-only; a change fails at once saying what to do, and nothing is changed', async (ctx) => {
    needsAccess(ctx);
    const parent = tmp();
    chmodSync(parent, 0o755);
    const dir = join(parent, 'shared');
    await seed(dir, ['base']);
    // Root's folder, readable by everyone, writable by root only.
    chmodSync(dir, 0o755);
    chmodSync(join(dir, 'config.json'), 0o644);
    const before = readFileSync(join(dir, 'config.json'));

    const ls = runAs(dir, ['ls']);
    expect(ls).toMatchObject({ code: 0, err: '' });
    expect(ls.out).toContain('base');

    const add = runAs(dir, ['add', 'host', 'x', '127.0.0.2']);
    expect(add.code).toBe(1);
    expect(add.err).toContain(
      `burrow: error: Could not save ${join(dir, 'config.json')}: this user cannot write there (EACCES): nothing was changed. Make the folder writable (chmod u+w '${dir}') or set BURROW_CONFIG_DIR to a folder you can write.`,
    );
    expect(readFileSync(join(dir, 'config.json')).equals(before)).toBe(true);
    expect(readdirSync(dir)).toEqual(['config.json']);
  }, 120_000);

  it('a damaged file there is shown as far as it can be read and left as it is', async (ctx) => {
    needsAccess(ctx);
    const parent = tmp();
    chmodSync(parent, 0o755);
    const dir = join(parent, 'shared');
    await seed(dir, ['base', 'second']);
    const file = join(dir, 'config.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^\s*"schemaVersion": 2,\n/m, ''));
    chmodSync(dir, 0o755);
    chmodSync(file, 0o644);
    const before = readFileSync(file);

    const ls = runAs(dir, ['ls']);
    expect(ls.code).toBe(0);
    expect(ls.out).toContain('base');
    expect(ls.out).toContain('second');
    expect(ls.err).toContain(`needs a repair or an update that cannot be written now (Could not save ${file}: this user cannot write there (EACCES)`);
    expect(ls.err).toContain('Showing what could be read (2 host(s), 0 forward(s)); the file was left as it is.');
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(readdirSync(dir)).toEqual(['config.json']);
  }, 120_000);
});
