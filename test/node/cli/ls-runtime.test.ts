// `burrow ls` shows what really runs: the desktop app's status file (a real
// second process running real forwards through a real sshd) says "running in
// Burrow (pid N): active / reconnecting ...", a clean exit removes it, a stale
// one (dead pid, or a pid now used by another process) is ignored, and without
// one the port probe's wording claims no more than it knows.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runningDir } from '../../../electron/profiles/runtime-status';
import { burrow, burrowDone, ROOT, track, type Run } from '../../support/cli';
import { cleanup, freePort, startSshd, type Sshd } from '../../support/sshd';
import { echoServer, type TestServer } from '../../support/tcp';

let sshd: Sshd;
let dir: string;
let echo: TestServer;
let echoLocal: number;
let idleLocal: number;
let app: Run | undefined;

const cli = (...args: string[]) => burrowDone(args, { env: { BURROW_CONFIG_DIR: dir } });
type LsForward = { name: string; state: string; status: string; runningIn?: { pid: number; app: string } };
async function ls(): Promise<{ json: Record<string, LsForward>; text: string }> {
  const j = await cli('ls', '--json');
  expect(j.code, j.stderr).toBe(0);
  const t = await cli('ls');
  const json = Object.fromEntries((JSON.parse(j.stdout).forwards as LsForward[]).map((f) => [f.name, f]));
  return { json, text: t.stdout };
}
async function eventually<T>(what: string, fn: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
const listen = (port: number) =>
  new Promise<net.Server>((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(port, '127.0.0.1', () => resolve(s));
  });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'burrow-ls-runtime-'));
  sshd = await startSshd();
  echo = await echoServer();
  echoLocal = await freePort();
  idleLocal = await freePort();
  for (const args of [
    ['add', 'host', 'lab', `${sshd.user}@127.0.0.1:${sshd.port}`, '-i', sshd.userKey, '--known-hosts', sshd.knownHosts, '-o', 'StrictHostKeyChecking=yes'],
    ['add', 'forward', 'echo', '-L', `${echoLocal}:127.0.0.1:${echo.port}`, '--via', 'lab'],
    ['add', 'forward', 'back', '-R', `0:127.0.0.1:${echo.port}`, '--via', 'lab'],
    ['add', 'forward', 'idle', '-L', `${idleLocal}:127.0.0.1:${echo.port}`, '--via', 'lab'],
  ]) {
    const r = await cli(...args);
    expect(r.code, r.stderr).toBe(0);
  }
}, 60_000);

afterAll(async () => {
  app?.proc.kill('SIGKILL');
  await echo?.close();
  await cleanup(sshd);
  rmSync(dir, { recursive: true, force: true });
});

describe("burrow ls and the app's status file", () => {
  it('shows the forwards the app runs, and their reconnects; a clean exit removes the file', async () => {
    app = track(
      spawn(process.execPath, ['bin/run-ts.mjs', 'test/support/app-standin.ts', dir, 'echo', 'back'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] }),
    );
    await app.waitFor((e) => e.event === 'ready', 30_000);
    expect(app.events().filter((e) => e.event === 'started')).toEqual([
      { event: 'started', name: 'echo', ok: true },
      { event: 'started', name: 'back', ok: true },
    ]);
    const pid = app.proc.pid!;
    expect(readdirSync(runningDir(dir))).toEqual([`${pid}-desktop.json`]);

    // Nothing has gone through yet: ls says so, as the window's row does.
    const fresh = await ls();
    expect(fresh.json.echo).toMatchObject({
      state: 'active',
      status: `running in Burrow (pid ${pid}): active, destination not yet tried`,
      runningIn: { pid, app: 'desktop' },
    });
    // A remote forward cannot be probed from here; the app says how it is.
    expect(fresh.json.back).toMatchObject({ state: 'active', status: `running in Burrow (pid ${pid}): active, destination not yet tried` });
    expect(fresh.json.idle).toMatchObject({ state: 'stopped', status: 'stopped' });

    // One connection through it: plain active.
    const through = net.connect(echoLocal, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      through.once('error', reject);
      through.once('data', () => resolve());
      through.write('ping');
    });
    through.destroy();
    const running = await eventually('plain active in ls', async () => {
      const r = await ls();
      return r.json.echo.status === `running in Burrow (pid ${pid}): active` ? r : undefined;
    });
    expect(running.text).toContain(`[running in Burrow (pid ${pid}): active]`);

    // Another program on a port: no claim that it is the forward.
    const squatter = await listen(idleLocal);
    try {
      expect((await ls()).json.idle).toMatchObject({ state: 'port in use', status: 'port in use, not by Burrow' });
    } finally {
      await new Promise((r) => squatter.close(r));
    }

    // The server goes away: the app reconnects, and ls says so (from the file, rewritten on the change).
    await sshd.stop();
    const reconnecting = await eventually('reconnecting in ls', async () => {
      const { json } = await ls();
      return json.echo.state === 'reconnecting' ? json.echo : undefined;
    });
    expect(reconnecting.status).toMatch(new RegExp(`^running in Burrow \\(pid ${pid}\\): reconnecting \\(attempt 1, next try in \\d+ s\\)`));

    // Quit: the app disposes its services and the file goes.
    app.proc.kill('SIGTERM');
    expect(await app.exited).toBe(0);
    expect(readdirSync(runningDir(dir))).toEqual([]);
    const after = await ls();
    expect(after.json.echo).toMatchObject({ state: 'stopped', status: 'stopped' });
    expect(after.json.echo.runningIn).toBeUndefined();
    expect(after.json.back).toMatchObject({ state: 'unknown', status: 'not running in Burrow' });
    await sshd.restart();
  }, 90_000);

  it('shows the forwards burrow up runs, and forgets them when it exits', async () => {
    const up = burrow(['up', 'idle', '--json'], { env: { BURROW_CONFIG_DIR: dir } });
    try {
      await up.waitFor((e) => e.event === 'state' && e.forward === 'idle' && e.state === 'active', 30_000);
      const pid = up.proc.pid!;
      const seen = await eventually('burrow up in ls', async () => {
        const { json } = await ls();
        return json.idle.runningIn ? json.idle : undefined;
      });
      expect(seen).toMatchObject({
        state: 'active',
        status: `running in burrow up (pid ${pid}): active, destination not yet tried`,
        runningIn: { pid, app: 'cli' },
      });
      up.proc.kill('SIGTERM');
      expect(await up.exited).toBe(0);
      expect(readdirSync(runningDir(dir)).filter((n) => n.startsWith(`${pid}-`))).toEqual([]);
      expect((await ls()).json.idle).toMatchObject({ state: 'stopped', status: 'stopped' });
    } finally {
      up.proc.kill('SIGKILL');
    }
  }, 60_000);

  it('ignores (and removes) the file of a process that is gone, or whose pid another process now has; skips a damaged one, never waiting on it', async () => {
    const dead = spawn(process.execPath, ['-e', '']);
    const deadPid = dead.pid!;
    await new Promise((r) => dead.on('exit', r));
    mkdirSync(runningDir(dir), { recursive: true });
    const stale = join(runningDir(dir), `${deadPid}-desktop.json`);
    writeFileSync(stale, JSON.stringify({ pid: deadPid, kind: 'desktop', updatedAt: Date.now(), forwards: { echo: { state: 'active' } } }));
    // A live pid (this test's own) with another process's start time: the pid was reused.
    const reused = join(runningDir(dir), `${process.pid}-desktop.json`);
    writeFileSync(
      reused,
      JSON.stringify({ pid: process.pid, kind: 'desktop', startId: 'not-this-process', updatedAt: Date.now(), forwards: { idle: { state: 'active' } } }),
    );

    // Damaged files under a status file's name, of this (live) process: a FIFO nobody writes to, and 17 MB.
    execFileSync('mkfifo', [join(runningDir(dir), `${process.pid}-web.json`)]);
    writeFileSync(join(runningDir(dir), `${process.pid}-up.json`), Buffer.alloc(17 * 1024 * 1024, 0x20));

    const { json } = await ls();
    expect(json.echo).toMatchObject({ state: 'stopped', status: 'stopped' });
    expect(existsSync(stale)).toBe(false);
    // Start times are read from /proc (Linux); elsewhere only the pid is checked.
    if (existsSync('/proc/self/stat')) {
      expect(json.idle).toMatchObject({ state: 'stopped', status: 'stopped' });
      expect(existsSync(reused)).toBe(false);
    }
  }, 60_000);
});
