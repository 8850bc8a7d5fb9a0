// A SOCKS login on saved dynamic (-D) forwards: the model's messages, the
// password kept only in the secret store (never in the profile file or an
// export), and `burrow up` enforcing it against a real sshd.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportJson, exportSshCommand, exportSshConfig, parseExport } from '../../../electron/profiles/export';
import { createDispatcher } from '../../../electron/api/dispatcher';
import { createProfileHandlers } from '../../../electron/api/profile-handlers';
import { ProfileRepository } from '../../../electron/profiles/repository';
import { MemorySecretStore, NoSecretStore, type SecretStore } from '../../../electron/profiles/secrets';
import { needsSocksPassword, toEngineForward } from '../../../electron/profiles/to-engine';
import { ForwardSchema, describeIssues, parseForward, parseHost } from '../../../shared/model';
import { runInProcess, startListening, type InProcessOptions } from '../../support/cli-in-process';
import { exchange, socks4, socks5 } from '../../support/socks-client';
import { cleanup, freePort, startSshd, type Sshd } from '../../support/sshd';
import { echoServer, type TestServer } from '../../support/tcp';

const PASSWORD = 'pa55-Wörd-7f3c9e';
const temp = (name: string) => mkdtempSync(join(tmpdir(), `burrow-socks-auth-${name}-`));
const fileBytes = (repo: ProfileRepository) => readFileSync(repo.path);
const dynamic = (over: Record<string, unknown> = {}) => ({
  name: 'proxy',
  kind: 'dynamic' as const,
  listen: { host: '127.0.0.1', port: 1080 },
  host: 'lab',
  socksUser: 'alice',
  ...over,
});

function messages(input: unknown): string[] {
  const r = ForwardSchema.safeParse(input);
  if (r.success) return [];
  return describeIssues(r.error).map((p) => p.message);
}

describe('model: socksUser', () => {
  it('is accepted on dynamic forwards and refused elsewhere with a message a person can act on', () => {
    expect(parseForward(dynamic()).socksUser).toBe('alice');
    expect(
      messages({
        name: 'pop3',
        kind: 'local',
        listen: { host: '127.0.0.1', port: 1100 },
        target: { host: 'mail', port: 110 },
        host: 'lab',
        socksUser: 'alice',
      }),
    ).toEqual(['A proxy user name only applies to SOCKS (dynamic) forwards; remove it or make this a dynamic forward.']);
    expect(
      messages({
        name: 'back',
        kind: 'remote',
        listen: { host: 'localhost', port: 8080 },
        target: { host: 'localhost', port: 80 },
        host: 'lab',
        socksUser: 'bob',
      })[0],
    ).toContain('A proxy user name only applies to SOCKS (dynamic) forwards');
    expect(messages(dynamic({ socksUser: '' }))).toEqual(['Proxy user name is required.']);
    expect(messages(dynamic({ socksUser: 'al ice' }))).toEqual(["Proxy user name 'al ice' contains spaces; remove them."]);
    expect(messages(dynamic({ socksUser: 'é'.repeat(200) }))).toEqual(['Proxy user name is longer than 255 bytes, the most SOCKS can carry; shorten it.']);
  });

  it('a login without a known password says so (password null), and the proxy then refuses every login (socks.test.ts)', () => {
    const host = { name: 'lab', hostname: '127.0.0.1', port: 22, auth: { method: 'agent' as const }, jump: [], strictHostKeyChecking: 'ask' as const };
    const opts = { lookup: () => host, settings: { keepalive: { interval: 15, countMax: 3 } } };
    const unknown = toEngineForward(parseForward(dynamic()), opts);
    expect(unknown.spec.socksAuth).toEqual({ username: 'alice', password: null });
    expect(needsSocksPassword(unknown.spec)).toBe(true);
    const known = toEngineForward(parseForward(dynamic()), { ...opts, socksPasswords: new Map([['proxy', PASSWORD]]) });
    expect(known.spec.socksAuth).toEqual({ username: 'alice', password: PASSWORD });
    expect(toEngineForward(parseForward(dynamic({ socksUser: undefined })), opts).spec.socksAuth).toBeUndefined();
  });
});

describe('repository: the SOCKS password lives in the secret store only', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  async function open<S extends SecretStore = MemorySecretStore>(secrets: S = new MemorySecretStore() as unknown as S) {
    const dir = temp('repo');
    dirs.push(dir);
    const repo = await ProfileRepository.open({ dir, secrets });
    await repo.addHost(parseHost({ name: 'lab', hostname: '127.0.0.1' }));
    return { repo, secrets };
  }

  it('stores it by reference (burrow:forward:<uuid>), never in the file or an export', async () => {
    const { repo, secrets } = await open();
    const f = await repo.addForward(parseForward(dynamic()), { secret: PASSWORD });
    expect(f.socksSecretRef).toMatch(/^burrow:forward:[0-9a-f-]{36}$/);
    expect([...secrets.values.entries()]).toEqual([[f.socksSecretRef, PASSWORD]]);
    expect(await repo.forwardSecret('proxy')).toBe(PASSWORD);
    const bytes = fileBytes(repo);
    expect(bytes.includes(Buffer.from(PASSWORD))).toBe(false);
    expect(bytes.includes(Buffer.from(JSON.stringify(PASSWORD).slice(1, -1)))).toBe(false);
    expect(JSON.parse(bytes.toString()).forwards[0]).toMatchObject({ socksUser: 'alice', socksSecretRef: f.socksSecretRef });

    const doc = repo.document();
    const json = JSON.stringify(exportJson(doc));
    expect(json).not.toContain(PASSWORD);
    expect(json).not.toContain('socksSecretRef');
    expect(exportJson(doc).forwards[0]).toMatchObject({ name: 'proxy', socksUser: 'alice' });
    const sshConfig = exportSshConfig(doc);
    expect(sshConfig).not.toContain(PASSWORD);
    expect(sshConfig).toContain(
      "# Note: forward 'proxy' requires the SOCKS login 'alice' in Burrow, but OpenSSH's SOCKS proxy (-D, DynamicForward) has no login",
    );
    expect(exportSshCommand(repo.requireForward('proxy'), doc)).not.toContain(PASSWORD);
  });

  it('input cannot set the reference; a rename keeps the password; removing the login or the forward forgets it', async () => {
    const { repo, secrets } = await open();
    secrets.values.set('burrow:host:someone-elses', 'other secret');
    const sneaky = await repo.addForward(parseForward(dynamic({ socksSecretRef: 'burrow:host:someone-elses' })));
    expect(sneaky.socksSecretRef).toBeUndefined();
    expect(await repo.forwardSecret('proxy')).toBeNull();

    const withPw = await repo.replaceForward('proxy', parseForward({ ...repo.requireForward('proxy'), name: 'socks' }), { secret: PASSWORD });
    const ref = withPw.socksSecretRef!;
    const renamed = await repo.replaceForward(
      'socks',
      parseForward(dynamic({ name: 'socks2', listen: { host: '127.0.0.1', port: 1081 }, socksSecretRef: 'burrow:host:someone-elses' })),
    );
    expect(renamed.socksSecretRef).toBe(ref);
    expect(await repo.forwardSecret('socks2')).toBe(PASSWORD);
    await repo.replaceForward('socks2', parseForward(repo.requireForward('socks2')), { secret: 'another-one' });
    expect(secrets.values.get(ref)).toBe('another-one');

    // The schema (the dispatcher's check) refuses a login on a forward that is not SOCKS.
    expect(() => parseForward({ ...repo.requireForward('socks2'), kind: 'local', target: { host: 'x', port: 1 } })).toThrow(
      'A proxy user name only applies to SOCKS (dynamic) forwards; remove it or make this a dynamic forward.',
    );
    await repo.replaceForward('socks2', parseForward(dynamic({ name: 'socks2', socksUser: undefined })));
    expect(repo.requireForward('socks2').socksSecretRef).toBeUndefined();
    expect(secrets.values.has(ref)).toBe(false);

    const again = await repo.addForward(parseForward(dynamic({ name: 'p3', listen: { host: '127.0.0.1', port: 1083 } })), { secret: PASSWORD });
    await repo.replaceForward('p3', parseForward(repo.requireForward('p3')), { secret: null });
    expect(repo.requireForward('p3').socksSecretRef).toBeUndefined();
    expect(secrets.values.has(again.socksSecretRef!)).toBe(false);
    const last = await repo.addForward(parseForward(dynamic({ name: 'p4', listen: { host: '127.0.0.1', port: 1084 } })), { secret: PASSWORD });
    await repo.removeForward('p4');
    expect(secrets.values.has(last.socksSecretRef!)).toBe(false);
    expect([...secrets.values.keys()]).toEqual(['burrow:host:someone-elses']);
  });

  it('refuses a password without a login, and passwords SOCKS cannot carry (at the dispatcher, for every caller)', async () => {
    const { repo } = await open();
    const dispatcher = createDispatcher(createProfileHandlers({ repo, secretsAvailable: () => repo.secretsAvailable() }));
    const refused = async (forward: object, secret: string) => {
      const r = await dispatcher.dispatch('forward.add', { forward, secret });
      expect(r).toMatchObject({ ok: false, code: 'VALIDATION' });
      return !r.ok && r.message;
    };
    expect(await refused(dynamic({ socksUser: undefined }), PASSWORD)).toBe(
      'A SOCKS password needs a proxy user name on a SOCKS (dynamic) forward; give the user name too, or leave the password out.',
    );
    expect(await refused(dynamic(), 'x'.repeat(256))).toBe('The SOCKS password is longer than 255 bytes, the most SOCKS can carry; shorten it.');
    expect(await refused(dynamic(), '')).toBe('The SOCKS password is empty; give one.');
    expect(repo.listForwards()).toEqual([]);
  });

  it('without a secret store the password is not kept (and not written anywhere)', async () => {
    const { repo } = await open(new NoSecretStore());
    const f = await repo.addForward(parseForward(dynamic()), { secret: PASSWORD });
    expect(f).toMatchObject({ socksUser: 'alice' });
    expect(f.socksSecretRef).toBeUndefined();
    expect(fileBytes(repo).includes(Buffer.from(PASSWORD))).toBe(false);
    expect(await repo.forwardSecret('proxy')).toBeNull();
  });

  it('importing an export keeps the user name and no password; a crafted reference is dropped', async () => {
    const { repo, secrets } = await open();
    await repo.addForward(parseForward(dynamic()), { secret: PASSWORD });
    const text = JSON.stringify(exportJson(repo.document()));
    const other = await open();
    const report = await other.repo.importProfiles(parseExport(text));
    expect(report.items).toContainEqual({ kind: 'forward', name: 'proxy', action: 'add', reason: 'via lab' });
    expect(other.repo.requireForward('proxy')).toMatchObject({ socksUser: 'alice' });
    expect(other.repo.requireForward('proxy').socksSecretRef).toBeUndefined();
    expect(other.secrets.values.size).toBe(0);

    // A hand-made file pointing into this machine's store gets nothing from it.
    const ref = repo.requireForward('proxy').socksSecretRef!;
    const crafted = JSON.parse(text);
    crafted.forwards[0] = { ...crafted.forwards[0], name: 'thief', port: 1090, socksSecretRef: ref };
    await repo.importProfiles(parseExport(JSON.stringify(crafted)));
    expect(repo.requireForward('thief').socksSecretRef).toBeUndefined();
    expect(await repo.forwardSecret('thief')).toBeNull();
    // Re-importing the same forward is "exists" (the local reference does not count as a difference), and it keeps its password.
    const same = await repo.importProfiles(parseExport(text), { replace: true });
    expect(same.items).toContainEqual({ kind: 'forward', name: 'proxy', action: 'exists' });
    expect(await repo.forwardSecret('proxy')).toBe(PASSWORD);
    expect(secrets.values.get(ref)).toBe(PASSWORD);
  });
});

// ---------------------------------------------------------------- the CLI against a real sshd

let sshd: Sshd;
let echo: TestServer;
let cliDir: string;

const burrow = (argv: string[], opts: InProcessOptions = {}) => runInProcess(cliDir, argv, opts);

/** Runs `burrow up` until it listens; returns the stop function and the exit code's promise. */
const up = (name: string, opts: InProcessOptions) => startListening(cliDir, ['up', name, '--json'], opts);

async function expectLoginEnforced(port: number, user: string, password: string) {
  const none = await socks5(port, { ipv4: '127.0.0.1' }, echo.port);
  expect(none.method).toBe(0xff);
  const wrong = await socks5(port, { ipv4: '127.0.0.1' }, echo.port, { auth: { username: user, password: `${password}x` } });
  expect(wrong).toMatchObject({ method: 0x02, authStatus: 1 });
  const otherUser = await socks5(port, { ipv4: '127.0.0.1' }, echo.port, { auth: { username: `${user}x`, password } });
  expect(otherUser.authStatus).toBe(1);
  const v4 = await socks4(port, { ipv4: '127.0.0.1' }, echo.port);
  expect(v4.status).toBe(0x5b);
  const right = await socks5(port, { ipv4: '127.0.0.1' }, echo.port, { auth: { username: user, password } });
  expect(right).toMatchObject({ status: 0, method: 0x02, authStatus: 0 });
  expect((await exchange(right.sock, Buffer.from('through the proxy'))).toString()).toBe('through the proxy');
}

describe('burrow add/edit/up/export with --socks-user (real sshd)', () => {
  beforeAll(async () => {
    cliDir = temp('cli');
    sshd = await startSshd();
    echo = await echoServer();
    const host = await burrow([
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
    ]);
    expect(host.code, host.err).toBe(0);
  });

  afterAll(async () => {
    await echo?.close();
    await cleanup(sshd);
    rmSync(cliDir, { recursive: true, force: true });
  });

  it('add forward -D --socks-user says the password is not kept, and the file never holds it', async () => {
    const port = await freePort();
    const r = await burrow(['add', 'forward', 'proxy', '-D', `${port}`, '--via', 'lab', '--socks-user', 'alice'], { env: { BURROW_SOCKS_PASSWORD: PASSWORD } });
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`Saved forward 'proxy': 127.0.0.1:${port} -> SOCKS via lab.`);
    expect(r.out).toContain(
      "SOCKS clients must log in as 'alice'. No secret store is available to the command line, so the SOCKS password is not saved: the password will be asked for each time",
    );
    const file = readFileSync(join(cliDir, 'config.json'));
    expect(file.includes(Buffer.from(PASSWORD))).toBe(false);
    expect(JSON.parse(file.toString()).forwards[0]).toEqual(expect.objectContaining({ name: 'proxy', kind: 'dynamic', socksUser: 'alice' }));
    const ls = await burrow(['ls']);
    expect(ls.out).toContain('socks-user=alice');
  });

  it('bad input exits 2 with what to do', async () => {
    const onLocal = await burrow(['add', 'forward', 'pop3', '-L', '1100:mail:110', '--via', 'lab', '--socks-user', 'alice']);
    expect(onLocal.code).toBe(2);
    expect(onLocal.err).toContain('--socks-user sets the login of a SOCKS proxy: use it with -D, or leave it out.');
    const toLocal = await burrow(['edit', 'forward', 'proxy', '-L', '1100:mail:110']);
    expect(toLocal.code).toBe(2);
    expect(toLocal.err).toContain(
      "Forward 'proxy' has the SOCKS login 'alice', which only applies to SOCKS (dynamic) forwards: add --no-socks-user to remove it.",
    );
    const both = await burrow(['edit', 'forward', 'proxy', '--socks-user', 'x', '--no-socks-user']);
    expect(both.code).toBe(2);
    expect(both.err).toContain('Give --socks-user USER or --no-socks-user, not both.');
    const spaces = await burrow(['edit', 'forward', 'proxy', '--socks-user', 'a b']);
    expect(spaces.code).toBe(2);
    expect(spaces.err).toContain("Proxy user name 'a b' contains spaces; remove them.");
  });

  it('up without a password and without a terminal exits 2 and starts nothing', async () => {
    const r = await burrow(['up', 'proxy']);
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      "burrow: error: Forward 'proxy' requires the SOCKS login 'alice', and no password was given: set BURROW_SOCKS_PASSWORD, or run on a terminal to be asked. Nothing was started.",
    );
    const tooLong = await burrow(['up', 'proxy'], { env: { BURROW_SOCKS_PASSWORD: 'x'.repeat(300) } });
    expect(tooLong.code).toBe(2);
    expect(tooLong.err).toContain('The SOCKS password is longer than 255 bytes');
  });

  it('up with BURROW_SOCKS_PASSWORD: wrong and absent logins are refused, the right one carries bytes', async () => {
    const port = JSON.parse(readFileSync(join(cliDir, 'config.json'), 'utf8')).forwards[0].listen.port;
    const run = await up('proxy', { env: { BURROW_SOCKS_PASSWORD: PASSWORD } });
    await expectLoginEnforced(port, 'alice', PASSWORD);
    expect(await run.stop()).toBe(0);
    expect(run.t.out() + run.t.err()).not.toContain(PASSWORD);
  });

  it('up asks on the terminal when the variable is not set', async () => {
    const port = JSON.parse(readFileSync(join(cliDir, 'config.json'), 'utf8')).forwards[0].listen.port;
    const run = await up('proxy', { tty: 'typed-at-the-tty\n' });
    expect(run.t.err()).toContain("Password for SOCKS user 'alice' of forward 'proxy':");
    await expectLoginEnforced(port, 'alice', 'typed-at-the-tty');
    expect(await run.stop()).toBe(0);
  });

  it('export: JSON carries the user name only; --format ssh notes that OpenSSH has no SOCKS login', async () => {
    const json = await burrow(['export']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out).forwards[0]).toMatchObject({ name: 'proxy', socksUser: 'alice' });
    expect(json.out).not.toContain('socksSecretRef');
    const ssh = await burrow(['export', '--format', 'ssh', 'proxy']);
    expect(ssh.code).toBe(0);
    expect(ssh.out).toMatch(/^ssh -N -D 127\.0\.0\.1:\d+ /);
    expect(ssh.err).toContain(
      "burrow: note: forward 'proxy' requires the SOCKS login 'alice' in Burrow, but OpenSSH's SOCKS proxy (-D, DynamicForward) has no login",
    );
  });

  it('edit changes and clears the login', async () => {
    const changed = await burrow(['edit', 'forward', 'proxy', '--socks-user', 'bob', '--json']);
    expect(changed.code, changed.err).toBe(0);
    expect(JSON.parse(changed.out)).toMatchObject({ socksUser: 'bob' });
    expect(changed.err).toContain('the password will be asked for each time');
    const cleared = await burrow(['edit', 'forward', 'proxy', '--no-socks-user', '--json']);
    expect(cleared.code, cleared.err).toBe(0);
    expect(JSON.parse(cleared.out).socksUser).toBeUndefined();
    // Without a login the proxy needs no password and takes clients without one.
    const port = JSON.parse(cleared.out).listen.port;
    const run = await up('proxy', {});
    const open = await socks5(port, { ipv4: '127.0.0.1' }, echo.port);
    expect(open.status).toBe(0);
    open.sock.destroy();
    expect(await run.stop()).toBe(0);
  });
});
