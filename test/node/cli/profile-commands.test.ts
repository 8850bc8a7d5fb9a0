// `burrow up NAME` carries real bytes through OpenSSH sshd; the profile commands' exit codes and messages.
import { listenPort } from '../../../shared/model';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProfileRepository } from '../../../electron/profiles/repository';
import { NoSecretStore } from '../../../electron/profiles/secrets';
import { runInProcess, startListening } from '../../support/cli-in-process';
import { cleanup, freePort, startSshd, type Sshd } from '../../support/sshd';
import { echoServer, type TestServer } from '../../support/tcp';

let sshd: Sshd;
let echo: TestServer;
let dir: string;

const burrow = (...argv: string[]) => runInProcess(dir, argv);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'burrow-cli-profiles-'));
  sshd = await startSshd();
  echo = await echoServer();
});

afterAll(async () => {
  await echo?.close();
  await cleanup(sshd);
  rmSync(dir, { recursive: true, force: true });
});

describe('burrow profile commands', () => {
  it('add host, add forward, ls, then up NAME carries real bytes through sshd', async () => {
    const add = await burrow(
      'add',
      'host',
      'lab',
      `${sshd.user}@127.0.0.1:${sshd.port}`,
      '-i',
      sshd.userKey,
      '--known-hosts',
      sshd.knownHosts,
      '-o',
      'StrictHostKeyChecking=yes',
      '--json',
    );
    expect(add.code, add.err).toBe(0);
    expect(JSON.parse(add.out)).toMatchObject({ name: 'lab', port: sshd.port, auth: { method: 'key', keyPath: sshd.userKey } });
    const local = await freePort();
    const fwd = await burrow('add', 'forward', 'echo', '-L', `${local}:127.0.0.1:${echo.port}`, '--via', 'lab', '--group', 'test');
    expect(fwd.code, fwd.err).toBe(0);
    expect(fwd.out).toContain(`Saved forward 'echo': 127.0.0.1:${local} -> 127.0.0.1:${echo.port} via lab.`);
    const ls = await burrow('ls', '--json');
    expect(JSON.parse(ls.out).forwards).toMatchObject([{ name: 'echo', state: 'stopped' }]);

    const running = await startListening(dir, ['up', '--group', 'test', '--json']);

    const payload = randomBytes(2 * 1024 * 1024);
    const sock = net.connect(local, '127.0.0.1');
    const chunks: Buffer[] = [];
    sock.on('data', (d) => chunks.push(d));
    const closed = new Promise<void>((r) => sock.on('end', () => r()));
    sock.end(payload);
    await closed;
    const digest = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    expect(digest(Buffer.concat(chunks))).toBe(digest(payload));

    const ls2 = await burrow('ls', '--json');
    // burrow up (here in this process) publishes what it runs.
    expect(JSON.parse(ls2.out).forwards[0]).toMatchObject({ state: 'active', status: `running in burrow up (pid ${process.pid}): active` });
    expect(await running.stop()).toBe(0);
  });

  it('bad input exits 2 naming the field and what to do', async () => {
    const bad = await burrow('add', 'forward', 'x', '-L', '70000:a:1', '--via', 'lab');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('Local port must be between 1 and 65535 (got 70000)');
    const none = await burrow('up', 'nope');
    expect(none.code).toBe(2);
    expect(none.err).toContain("No forward named 'nope'. Saved forwards: echo.");
    const via = await burrow('add', 'forward', 'y', '-L', '1:a:1', '--via', 'ghost');
    expect(via.code).toBe(2);
    expect(via.err).toContain("Forward 'y' goes through host 'ghost', which does not exist; add that host first or pick another.");
    const used = await burrow('rm', 'host', 'lab', '--json');
    expect(used.code).toBe(2);
    expect(JSON.parse(used.out)).toEqual({ event: 'error', code: 'CONFLICT', message: "Host 'lab' is used by 1 forward (echo); remove or move it first." });
    const nothing = await burrow('up');
    expect(nothing.code).toBe(2);
    expect(nothing.err).toContain('Say which forwards to run: names, --group G or --all');
    const help = await burrow('up', '--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain('Usage: burrow up NAME... | --group G | --all');
  });

  it('preset pop3 --via HOST saves localhost:1100 (or the next free port)', async () => {
    const r = await burrow('preset', 'pop3', '--via', 'lab', '--json');
    expect(r.code, r.err).toBe(0);
    const f = JSON.parse(r.out);
    expect(f).toMatchObject({ name: 'pop3-lab', kind: 'local', target: { host: 'localhost', port: 110 }, host: 'lab' });
    expect(f.listen.port).toBeGreaterThanOrEqual(1100);
    const repo = await ProfileRepository.open({ dir, secrets: new NoSecretStore() });
    expect(listenPort(repo.requireForward('pop3-lab')!)).toBe(f.listen.port);
  });
});

describe("the profile commands go through the window's handlers", () => {
  it("an import is held to the handler's limit of entries: too many is refused whole, nothing saved", async () => {
    const own = mkdtempSync(join(tmpdir(), 'burrow-cli-limit-'));
    // 6500 hosts and 3501 forwards: each list and the whole stay within a request's shape limits, the total is one over 10,000.
    const hosts = Array.from({ length: 6500 }, (_, i) => ({ name: `h${i}`, hostname: '127.0.0.1' }));
    const forwards = Array.from({ length: 3501 }, (_, i) => ({ name: `f${i}`, host: 'h0', kind: 'dynamic', listen: { host: '', port: 20000 + i } }));
    const file = join(own, 'big.json');
    writeFileSync(file, JSON.stringify({ format: 'burrow-profiles', schemaVersion: 2, hosts, forwards }));
    const r = await runInProcess(own, ['import', 'json', file]);
    expect(r.code, r.out).toBe(2);
    expect(r.err).toBe(
      'burrow: error: The import holds 10001 entries; Burrow imports at most 10000 at a time. Split it and import the parts one after the other.\n',
    );
    expect(JSON.parse((await runInProcess(own, ['ls', '--json'])).out)).toMatchObject({ hosts: [], forwards: [] });
    rmSync(own, { recursive: true, force: true });
  }, 120_000);

  it('an import file is checked before it is read: a device or an oversized file is refused, nothing saved', async () => {
    const own = mkdtempSync(join(tmpdir(), 'burrow-cli-file-'));
    const device = await runInProcess(own, ['import', 'json', '/dev/zero']);
    expect(device.code, device.out).toBe(2);
    expect(device.err).toBe("burrow: error: Cannot import /dev/zero: it is not a regular file. Give a file made by 'burrow export --format json'.\n");
    const big = join(own, 'big.json');
    writeFileSync(big, Buffer.alloc(5_000_001, 0x20));
    const huge = await runInProcess(own, ['import', 'json', big]);
    expect(huge.code, huge.out).toBe(2);
    expect(huge.err).toBe(`burrow: error: Cannot import ${big}: it holds 5000001 bytes, more than an export of 10000 entries needs (at most 5000000).\n`);
    expect(JSON.parse((await runInProcess(own, ['ls', '--json'])).out)).toMatchObject({ hosts: [], forwards: [] });
    rmSync(own, { recursive: true, force: true });
  });
});
