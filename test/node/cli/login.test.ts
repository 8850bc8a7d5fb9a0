// `burrow connect` logs in as OpenSSH does, against a real sshd: which user -l
// and user@host pick (compared with the installed ssh's own choice), options
// typed by habit (accepted with a note), and -i files that are unreadable,
// not keys, or readable by other users (refused before connecting, as ssh
// refuses such keys); the app's key list says the same.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planConnect } from '../../../electron/cli/connect';
import { listKeyFiles } from '../../../electron/api/key-files';
import { cleanup, freePort, keygen, startSshd, type Sshd } from '../../support/sshd';
import { echoServer, roundTrip, type TestServer } from '../../support/tcp';
import { burrow, burrowDone } from '../../support/cli';
import { inProcessIO } from '../../support/cli-in-process';

let sshd: Sshd;
let echo: TestServer;
let dir: string;

beforeAll(async () => {
  [sshd, echo] = await Promise.all([startSshd(), echoServer()]);
  dir = mkdtempSync(join(tmpdir(), 'burrow-login-'));
});

afterAll(async () => {
  await echo.close();
  await cleanup(sshd);
});

const common = (config = '/dev/null') => [
  '--json',
  '-o',
  `UserKnownHostsFile=${sshd.knownHosts}`,
  '-o',
  'StrictHostKeyChecking=yes',
  '-o',
  'BatchMode=yes',
  '-o',
  'IdentityAgent=none',
  '-p',
  String(sshd.port),
  '-F',
  config,
];

/** Runs `burrow connect` with one -L to the echo server, checks traffic, stops it; returns its events and what it printed for people. */
async function carries(args: string[], config?: string) {
  const port = await freePort();
  const run = burrow(['connect', ...common(config), '-L', `${port}:127.0.0.1:${echo.port}`, ...args]);
  await run.waitFor((e) => e.event === 'listening');
  expect((await roundTrip(port, Buffer.from('login'))).toString()).toBe('login');
  run.proc.kill('SIGTERM');
  expect(await run.exited).toBe(0);
  return run.events();
}

describe('-l and user@host', () => {
  const orders = [
    ['-l', 'nosuch', 'root@h'],
    ['root@h', '-l', 'nosuch'],
    ['-o', 'User=other', 'root@h'],
    ['root@h', '-o', 'User=other'],
    ['-l', 'first', '-o', 'User=second', 'h'],
    ['-l', 'nosuch', 'ssh://root@h'],
    ['-l', 'nosuch', '-L', '1:x:1', 'root@h'],
  ];
  it.each(orders)('pick the user the installed ssh picks: %s %s %s', (...argv) => {
    const ssh = /^user (.*)$/m.exec(execFileSync('ssh', ['-F', '/dev/null', '-G', ...argv], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }))![1];
    const withForward = argv.includes('-L') ? argv : ['-L', '1:x:1', ...argv];
    expect(planConnect(['-F', '/dev/null', ...withForward], inProcessIO(dir)).host.user).toBe(ssh);
  });

  it('-l before user@host logs in as the -l user, as ssh 9.2 does; after it, as the user@ one', async () => {
    const refused = await burrowDone([
      'connect',
      ...common(),
      '-i',
      sshd.userKey,
      '-L',
      `${await freePort()}:127.0.0.1:${echo.port}`,
      '-l',
      'nosuch',
      `${sshd.user}@127.0.0.1`,
    ]);
    expect(refused.code).toBe(1);
    expect(refused.events.find((e) => e.event === 'error')).toMatchObject({
      code: 'AUTH_FAILED',
      message: expect.stringContaining('Authentication failed for nosuch@127.0.0.1'),
    });
    expect(sshd.log()).toMatch(/Invalid user nosuch/);
    await carries(['-i', sshd.userKey, `${sshd.user}@127.0.0.1`, '-l', 'nosuch']);
  }, 30_000);
});

describe('options typed by habit', () => {
  it('are accepted, each with a note that it is ignored, and the forward works', async () => {
    const events = await carries([
      '-i',
      sshd.userKey,
      '-o',
      'LogLevel=ERROR',
      '-o',
      'ControlMaster=auto',
      '-o',
      `ControlPath=${join(dir, 'cm-%C')}`,
      '-o',
      'ControlPersist=10m',
      '-o',
      'ForwardAgent=yes',
      '-o',
      'RequestTTY=no',
      '-o',
      'SendEnv=LANG LC_*',
      '-A',
      '-t',
      `${sshd.user}@127.0.0.1`,
    ]);
    const notes = events.filter((e) => e.event === 'log' && e.level === 'info').map((e) => e.message);
    expect(notes).toEqual([
      "-o LogLevel=ERROR is ignored: it changes nothing for forwarding (Burrow's event lines are chosen with --json and -E).",
      '-o ControlMaster=auto is ignored: it changes nothing for forwarding (Burrow shares no connection with ssh: each command has its own session).',
      `-o ControlPath=${join(dir, 'cm-%C')} is ignored: it changes nothing for forwarding (Burrow shares no connection with ssh: each command has its own session).`,
      '-o ControlPersist=10m is ignored: it changes nothing for forwarding (Burrow shares no connection with ssh: each command has its own session).',
      '-o ForwardAgent=yes is ignored: it changes nothing for forwarding (Burrow opens no shell or command session, only the forwards).',
      '-o RequestTTY=no is ignored: it changes nothing for forwarding (Burrow opens no shell or command session, only the forwards).',
      '-o SendEnv=LANG LC_* is ignored: it changes nothing for forwarding (Burrow opens no shell or command session, only the forwards).',
      '-A is ignored: it changes nothing for forwarding (agent forwarding is for a shell session, and Burrow opens none).',
      '-t is ignored: it changes nothing for forwarding (a terminal is for a shell session, and Burrow opens none).',
    ]);
  }, 30_000);

  it('are said once on stderr for people', async () => {
    const r = await burrowDone(['connect', '-o', 'LogLevel=QUIET', '-L', '1100:x:1', '-F', '/dev/null', '-p', '1', '-o', 'ConnectTimeout=1', '127.0.0.1']);
    expect(r.stderr.split('\n').filter((l) => l.includes('LogLevel'))).toEqual([
      "burrow: note: -o LogLevel=QUIET is ignored: it changes nothing for forwarding (Burrow's event lines are chosen with --json and -E).",
    ]);
  });

  it('an unknown option still exits 2, naming it', async () => {
    const r = await burrowDone(['connect', ...common(), '-o', 'NoSuchOption=1', '-L', '1100:x:1', '127.0.0.1']);
    expect(r.code).toBe(2);
    expect(r.events.find((e) => e.event === 'error')).toMatchObject({
      code: 'OPTION_UNKNOWN',
      message: expect.stringContaining("Unknown option 'NoSuchOption' in -o NoSuchOption=1."),
    });
  });
});

describe('-i files', () => {
  /** Runs with -i FILE against the real sshd: exit code, the error, and whether sshd saw a connection. */
  async function withIdentity(file: string) {
    const before = sshd.log().length;
    const r = await burrowDone(['connect', ...common(), '-i', file, '-L', `${await freePort()}:127.0.0.1:${echo.port}`, `${sshd.user}@127.0.0.1`]);
    return { code: r.code, error: r.events.find((e) => e.event === 'error'), connected: /Connection from/.test(sshd.log().slice(before)) };
  }

  it('a file that is not a private key exits 2 before connecting', async () => {
    const garbage = join(dir, 'garbage_key');
    writeFileSync(garbage, 'this is not a key\n', { mode: 0o600 });
    expect(await withIdentity(garbage)).toEqual({
      code: 2,
      error: expect.objectContaining({
        code: 'KEY_UNSUPPORTED',
        message: `Identity file ${garbage} could not be read as a private key (Unsupported key format). Use an OpenSSH or PEM private key.`,
      }),
      connected: false,
    });
  });

  it('a path that cannot be read as a file exits 2 before connecting', async () => {
    const folder = join(dir, 'a_folder');
    mkdirSync(folder);
    expect(await withIdentity(folder)).toEqual({
      code: 2,
      error: expect.objectContaining({
        code: 'KEY_UNREADABLE',
        message: `Cannot read identity file ${folder}: it is a directory. Check the path given with -i or IdentityFile.`,
      }),
      connected: false,
    });
  });

  it('a private key other users may read is refused with how to fix it, as ssh refuses it; chmod 600 makes it work', async () => {
    const key = join(dir, 'open_key');
    copyFileSync(sshd.userKey, key);
    chmodSync(key, 0o644);
    expect(await withIdentity(key)).toEqual({
      code: 2,
      error: expect.objectContaining({
        code: 'KEY_UNREADABLE',
        message: `Permissions 0644 for identity file ${key} are too open: other users of this machine may read it, so Burrow does not use it (as ssh). Make it private with: chmod 600 ${key}`,
      }),
      connected: false,
    });
    chmodSync(key, 0o600);
    await carries(['-i', key, `${sshd.user}@127.0.0.1`]);
  }, 30_000);

  it('from the ssh config, such a key is skipped with a warning and the next one logs in, as ssh does', async () => {
    const open = join(dir, 'config_open_key');
    copyFileSync(sshd.userKey, open);
    chmodSync(open, 0o640);
    const config = join(dir, 'ssh_config');
    writeFileSync(
      config,
      `Host login-test\n  HostName 127.0.0.1\n  User ${sshd.user}\n  IdentityFile ${open}\n  IdentityFile ${sshd.userKey}\n  IdentitiesOnly yes\n`,
    );
    const events = await carries(['login-test'], config);
    expect(events.filter((e) => e.event === 'log' && e.level === 'warn').map((e) => e.message)).toContain(
      `Permissions 0640 for identity file ${open} are too open: other users of this machine may read it, so Burrow does not use it (as ssh). Make it private with: chmod 600 ${open}`,
    );
  }, 30_000);

  it("the app's key list warns about such a key, with the same words", async () => {
    const home = mkdtempSync(join(tmpdir(), 'burrow-login-home-'));
    mkdirSync(join(home, '.ssh'), { mode: 0o700 });
    const open = keygen(join(home, '.ssh', 'id_ed25519'));
    chmodSync(open, 0o644);
    const listed = (await listKeyFiles(home)).keys.find((k) => k.path === open);
    expect(listed?.warning).toBe(
      `Permissions 0644 for identity file ${open} are too open: other users of this machine may read it, so Burrow does not use it (as ssh). Make it private with: chmod 600 ${open}`,
    );
  });
});
