// `burrow connect` behaviour that was implemented but not pinned by a test: the
// host key question on a terminal, ProxyJump from an ssh config through two real
// sshd, per-connection errors in both output forms, and "retry now" (Enter on the
// terminal, SIGUSR1) during a reconnect countdown. Real OpenSSH sshd on loopback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, CONNECT_HELP } from '../../../electron/cli/connect';
import { cleanup, freePort, keygen, startSshd, type Sshd } from '../../support/sshd';
import { burrow, ROOT } from '../../support/cli';
import { fakeTerminal } from '../../support/cli-in-process';
import { echoServer, roundTrip, type TestServer } from '../../support/tcp';

let sshd: Sshd;
let echo: TestServer;
let dir: string;

beforeAll(async () => {
  [sshd, echo] = await Promise.all([startSshd(), echoServer()]);
  dir = mkdtempSync(join(tmpdir(), 'burrow-cli-coverage-'));
});

afterAll(async () => {
  await echo.close();
  await cleanup(sshd);
});

/** Polls until pred holds (generous bound), else fails with what was seen. */
async function until(pred: () => boolean, what: () => string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out; seen:\n${what()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const login = (s: Sshd) => [
  '-i',
  s.userKey,
  '-o',
  'IdentitiesOnly=yes',
  '-o',
  'IdentityAgent=none',
  '-o',
  'GlobalKnownHostsFile=/dev/null',
  '-F',
  '/dev/null',
  '-p',
  String(s.port),
];
const dest = (s: Sshd) => `${s.user}@127.0.0.1`;

describe('the host key question on a terminal (StrictHostKeyChecking=ask)', () => {
  const ask = (port: number, kh: string) => [
    '-L',
    `${port}:127.0.0.1:${echo.port}`,
    ...login(sshd),
    '-o',
    `UserKnownHostsFile=${kh}`,
    '-o',
    'StrictHostKeyChecking=ask',
    dest(sshd),
  ];
  const QUESTION = /refuse \(no\)\? $/;

  it("shows the server's real SHA256 fingerprint; 'yes' writes the entry to the known_hosts file given, and the tunnel carries data", async () => {
    const kh = join(dir, 'known_hosts.yes');
    writeFileSync(kh, '');
    const port = await freePort();
    const term = fakeTerminal([[QUESTION, 'yes']]);
    const done = connect(ask(port, kh), term.io);
    await until(() => /listening on|error/.test(term.stderr()), term.stderr);
    // The fingerprint as ssh-keygen shows it for the harness's host key.
    const fp = execFileSync('ssh-keygen', ['-lf', join(sshd.dir, 'host_ed25519.pub')], { encoding: 'utf8' }).split(' ')[1];
    expect(fp).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(term.stderr()).toContain(`The authenticity of host '[127.0.0.1]:${sshd.port}' can't be established.`);
    expect(term.stderr()).toContain(`key fingerprint is ${fp}.`);
    expect(readFileSync(kh, 'utf8')).toBe(`[127.0.0.1]:${sshd.port} ${sshd.hostPublicKey}\n`);
    expect((await roundTrip(port, Buffer.from('trusted now'))).toString()).toBe('trusted now');
    term.stop('SIGINT');
    expect(await done).toBe(0);
  });

  it("'no' fails with a clear message and writes nothing", async () => {
    const kh = join(dir, 'known_hosts.no');
    writeFileSync(kh, '');
    const term = fakeTerminal([[QUESTION, 'no']]);
    expect(await connect(ask(await freePort(), kh), term.io)).toBe(1);
    expect(term.stderr()).toMatch(/error: The host key of \[127\.0\.0\.1\]:\d+ \(SHA256:[A-Za-z0-9+/]{43}\) was not trusted; the connection was closed\./);
    expect(term.stderr()).not.toContain('listening on');
    expect(readFileSync(kh, 'utf8')).toBe('');
  });
});

describe('ProxyJump from an ssh config Host block', () => {
  let bastion: Sshd;
  let target: Sshd;
  let otherKey: string;
  beforeAll(async () => {
    [bastion, target] = await Promise.all([startSshd(), startSshd()]);
    otherKey = readFileSync(`${keygen(join(dir, 'impostor'))}.pub`, 'utf8')
      .split(' ')
      .slice(0, 2)
      .join(' ');
  });
  afterAll(async () => {
    await Promise.all([cleanup(bastion), cleanup(target)]);
  });

  const line = (s: Sshd) => readFileSync(s.knownHosts, 'utf8').trim();
  /** An ssh config where Host target jumps through Host bastion, trusting the keys in kh. */
  function configWith(name: string, knownHosts: string): string {
    const kh = join(dir, `known_hosts.${name}`);
    writeFileSync(kh, knownHosts);
    const cfg = join(dir, `ssh_config.${name}`);
    writeFileSync(
      cfg,
      [
        'Host bastion',
        '  HostName 127.0.0.1',
        `  Port ${bastion.port}`,
        'Host target',
        '  HostName 127.0.0.1',
        `  Port ${target.port}`,
        '  ProxyJump bastion',
        'Host *',
        `  User ${target.user}`,
        `  IdentityFile ${bastion.userKey}`,
        `  IdentityFile ${target.userKey}`,
        '  IdentitiesOnly yes',
        '  IdentityAgent none',
        `  UserKnownHostsFile ${kh}`,
        '  GlobalKnownHostsFile /dev/null',
        '  StrictHostKeyChecking yes',
        '  BatchMode yes',
        '',
      ].join('\n'),
    );
    return cfg;
  }
  const logins = (s: Sshd) => s.log().split('Accepted publickey').length;

  it('carries data end to end through both sshd (burrow connect -F cfg target)', async () => {
    const cfg = configWith('good', `${line(bastion)}\n${line(target)}\n`);
    const [b0, t0] = [logins(bastion), logins(target)];
    const port = await freePort();
    const run = burrow(['connect', '--json', '-F', cfg, '-L', `${port}:127.0.0.1:${echo.port}`, 'target']);
    await run.waitFor((e) => e.event === 'listening');
    expect((await roundTrip(port, Buffer.from('via the bastion'))).toString()).toBe('via the bastion');
    // One login on each hop: the bastion was really on the way.
    expect(logins(bastion) - b0).toBe(1);
    expect(logins(target) - t0).toBe(1);
    run.proc.kill('SIGINT');
    expect(await run.exited).toBe(0);
  });

  it("checks the bastion's key against the bastion's own entry (line 1)", async () => {
    const cfg = configWith('bastion-changed', `[127.0.0.1]:${bastion.port} ${otherKey}\n${line(target)}\n`);
    const t0 = logins(target);
    const run = burrow(['connect', '--json', '-F', cfg, '-L', `${await freePort()}:127.0.0.1:${echo.port}`, 'target']);
    expect(await run.exited).toBe(1);
    const err = run.events().find((e) => e.event === 'error')!;
    expect(err.code).toBe('HOSTKEY_CHANGED');
    expect(err.message).toContain(`Jump host`);
    expect(err.message).toContain(`host key of [127.0.0.1]:${bastion.port} has changed`);
    expect(err.message).toMatch(/known_hosts\.bastion-changed line 1\b/);
    expect(logins(target)).toBe(t0); // never reached
  });

  it("checks the target's key against the target's own entry (line 2), behind an accepted bastion", async () => {
    const cfg = configWith('target-changed', `${line(bastion)}\n[127.0.0.1]:${target.port} ${otherKey}\n`);
    const b0 = logins(bastion);
    const run = burrow(['connect', '--json', '-F', cfg, '-L', `${await freePort()}:127.0.0.1:${echo.port}`, 'target']);
    expect(await run.exited).toBe(1);
    const err = run.events().find((e) => e.event === 'error')!;
    expect(err.code).toBe('HOSTKEY_CHANGED');
    expect(err.message).not.toContain('Jump host');
    expect(err.message).toContain(`host key of [127.0.0.1]:${target.port} has changed`);
    expect(err.message).toMatch(/known_hosts\.target-changed line 2\b/);
    expect(logins(bastion) - b0).toBe(1); // the bastion's own key was accepted
  });
});

describe('per-connection errors in burrow connect output', () => {
  const UNRESOLVABLE = 'no-such-host.invalid';
  const args = async () => {
    const [closed, refusedPort, unresolvedPort, okPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    return {
      ports: { refusedPort, unresolvedPort, okPort },
      argv: [
        '-L',
        `${refusedPort}:127.0.0.1:${closed}`,
        '-L',
        `${unresolvedPort}:${UNRESOLVABLE}:80`,
        '-L',
        `${okPort}:127.0.0.1:${echo.port}`,
        ...login(sshd),
        '-o',
        `UserKnownHostsFile=${sshd.knownHosts}`,
        '-o',
        'BatchMode=yes',
        dest(sshd),
      ],
    };
  };

  it('--json: one error event each (code and message), and the forwards stay up', async () => {
    const { ports, argv } = await args();
    const run = burrow(['connect', '--json', ...argv]);
    await run.waitFor((e) => e.event === 'listening' && e.forward === 'L3');
    await roundTrip(ports.refusedPort, Buffer.from('x')).catch(() => undefined);
    await roundTrip(ports.unresolvedPort, Buffer.from('x')).catch(() => undefined);
    const refused = await run.waitFor((e) => e.event === 'error' && e.forward === 'L1');
    const unresolved = await run.waitFor((e) => e.event === 'error' && e.forward === 'L2', 30_000);
    expect(refused).toMatchObject({ code: 'DEST_REFUSED' });
    expect(refused.message).toMatch(/^Connection from 127\.0\.0\.1:\d+: 127\.0\.0\.1:\d+ refused the connection .*"Connection refused"/);
    expect(unresolved).toMatchObject({ code: 'DEST_UNRESOLVED' });
    expect(unresolved.message).toContain(`could not resolve the name in ${UNRESOLVABLE}:80`);
    expect(unresolved.message).toContain('Names are resolved on the server');
    // Exactly one each.
    expect(run.events().filter((e) => e.event === 'error')).toHaveLength(2);
    // Still up: the process runs, the failing forwards still listen, the good one carries data.
    expect(run.proc.exitCode).toBeNull();
    expect((await roundTrip(ports.okPort, Buffer.from('still up'))).toString()).toBe('still up');
    await roundTrip(ports.refusedPort, Buffer.from('x')).catch(() => undefined);
    await until(() => run.events().filter((e) => e.event === 'error').length === 3, run.stdout);
    run.proc.kill('SIGINT');
    expect(await run.exited).toBe(0);
  });

  it('for people: one stderr line each', async () => {
    const { ports, argv } = await args();
    const run = burrow(['connect', ...argv]);
    await until(() => run.stderr().includes(`L3: listening on`), run.stderr);
    await roundTrip(ports.refusedPort, Buffer.from('x')).catch(() => undefined);
    await roundTrip(ports.unresolvedPort, Buffer.from('x')).catch(() => undefined);
    const errorLines = () =>
      run
        .stderr()
        .split('\n')
        .filter((l) => /^burrow: (\w+: )?error:/.test(l));
    await until(() => errorLines().length >= 2, run.stderr);
    await new Promise((r) => setTimeout(r, 300)); // nothing more comes
    expect(errorLines()).toHaveLength(2);
    expect(errorLines().find((l) => l.includes('"Connection refused"'))).toMatch(
      /^burrow: \w+: error: Connection from 127\.0\.0\.1:\d+: 127\.0\.0\.1:\d+ refused the connection/,
    );
    expect(errorLines().find((l) => l.includes(UNRESOLVABLE))).toMatch(
      /^burrow: \w+: error: Connection from 127\.0\.0\.1:\d+: .* could not resolve the name in no-such-host\.invalid:80/,
    );
    expect(run.proc.exitCode).toBeNull();
    expect((await roundTrip(ports.okPort, Buffer.from('still up'))).toString()).toBe('still up');
    run.proc.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });
});

describe('retry now while reconnecting', () => {
  let s: Sshd;
  beforeAll(async () => {
    s = await startSshd();
  });
  afterAll(async () => {
    await cleanup(s);
  });

  it('is documented: --help and the README', () => {
    expect(CONNECT_HELP).toMatch(/Press Enter on the terminal, or send SIGUSR1\s+\(kill -USR1 PID\), to retry at once/);
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toMatch(/### Staying up[\s\S]*press\s+Enter[\s\S]*SIGUSR1[\s\S]*### Options/);
  });

  it('on a terminal: the countdown says once "press Enter to retry now", and Enter reconnects at once', async () => {
    const port = await freePort();
    const term = fakeTerminal();
    const done = connect(
      ['-L', `${port}:127.0.0.1:${echo.port}`, ...login(s), '-o', `UserKnownHostsFile=${s.knownHosts}`, '-o', 'BatchMode=yes', dest(s)],
      term.io,
    );
    await until(() => term.stderr().includes('L1: listening on'), term.stderr);
    await s.stop();
    // Attempts fail while the server is away and the pauses grow: wait for one of at least 4 s.
    const countdown = /L1: reconnecting in (\d+) s \(attempt (\d+)\)/g;
    let dueBy = 0;
    await until(
      () => {
        const last = [...term.stderr().matchAll(countdown)].at(-1);
        if (!last || Number(last[1]) < 4) return false;
        dueBy = Date.now() + (Number(last[1]) - 0.5) * 1000;
        return true;
      },
      term.stderr,
      60_000,
    );
    await s.restart();
    const before = term.stderr().length;
    term.type('\r');
    await until(() => term.stderr().slice(before).includes('L1: active'), term.stderr);
    expect(Date.now()).toBeLessThan(dueBy);
    expect(term.stderr().slice(before)).toContain('burrow: Enter: retrying now (L1)');
    expect(term.stderr().split('press Enter to retry now')).toHaveLength(2); // once
    expect(term.stderr()).toMatch(/L1: reconnecting in \d+ s \(attempt 1\); press Enter to retry now\n/);
    // Each attempt is said to be under way while it runs, not counted down to 0.
    expect(term.stderr()).toMatch(/L1: reconnecting \(attempt 1 under way\)\n/);
    expect((await roundTrip(port, Buffer.from('back'))).toString()).toBe('back');
    term.stop('SIGINT');
    expect(await done).toBe(0);
  }, 120_000);

  it('SIGUSR1 to a real burrow connect process reconnects at once; with nothing reconnecting it only says so', async () => {
    const port = await freePort();
    const run = burrow([
      'connect',
      '--json',
      '-L',
      `${port}:127.0.0.1:${echo.port}`,
      ...login(s),
      '-o',
      `UserKnownHostsFile=${s.knownHosts}`,
      '-o',
      'BatchMode=yes',
      dest(s),
    ]);
    await run.waitFor((e) => e.event === 'listening');
    // Nothing to retry: the signal neither kills it nor wakes Node's inspector.
    run.proc.kill('SIGUSR1');
    await run.waitFor((e) => e.event === 'retry' && e.trigger === 'SIGUSR1');
    expect(run.proc.exitCode).toBeNull();
    expect(run.stderr()).not.toContain('Debugger');

    await s.stop();
    const long = await run.waitFor(
      (e) => e.event === 'state' && e.state === 'reconnecting' && (e.nextAttemptAt as number) - Date.parse(e.time as string) >= 4000,
      60_000,
    );
    // Not a terminal: no hint about Enter.
    expect(run.events().some((e) => 'hint' in e)).toBe(false);
    await s.restart();
    const seen = run.events().length;
    run.proc.kill('SIGUSR1');
    await run.waitFor((e) => e.event === 'retry' && e.trigger === 'SIGUSR1' && (e.forwards as string[]).includes('L1'));
    await until(
      () =>
        run
          .events()
          .slice(seen)
          .some((e) => e.event === 'state' && e.state === 'active'),
      run.stdout,
    );
    expect(Date.now()).toBeLessThan(long.nextAttemptAt as number);
    expect((await roundTrip(port, Buffer.from('back'))).toString()).toBe('back');
    run.proc.kill('SIGINT');
    expect(await run.exited).toBe(0);
  }, 120_000);
});
