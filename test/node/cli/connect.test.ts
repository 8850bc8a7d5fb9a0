// `burrow connect` end to end: the real command against a real sshd.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { cleanup, freePort, keygen, startSshd, type Sshd } from '../../support/sshd';
import { echoServer, roundTrip, type TestServer } from '../../support/tcp';
import { burrow, burrowDone, burrowOnTerminal } from '../../support/cli';
import { socks5 } from '../../support/socks-client';

let sshd: Sshd;
let echo: TestServer;
let dir: string;

const base = () => [
  '-i',
  sshd.userKey,
  '-o',
  `UserKnownHostsFile=${sshd.knownHosts}`,
  '-o',
  'StrictHostKeyChecking=yes',
  '-o',
  'BatchMode=yes',
  '-p',
  String(sshd.port),
  '-F',
  '/dev/null',
];
const dest = () => `${sshd.user}@127.0.0.1`;

beforeAll(async () => {
  sshd = await startSshd();
  echo = await echoServer();
  dir = mkdtempSync(join(tmpdir(), 'burrow-cli-'));
});

afterAll(async () => {
  await echo.close();
  await cleanup(sshd);
});

describe('burrow connect: help', () => {
  it('documents every flag', async () => {
    const top = await burrowDone(['--help']);
    expect(top.code).toBe(0);
    expect(top.stdout).toContain('connect');
    const r = await burrowDone(['connect', '--help']);
    expect(r.code).toBe(0);
    for (const flag of ['-L', '-R', '-D', '-J', '-i', '-p', '-l', '-o', '-F', '--json']) expect(r.stdout).toContain(flag);
    for (const opt of [
      'StrictHostKeyChecking',
      'UserKnownHostsFile',
      'ServerAliveInterval',
      'ServerAliveCountMax',
      'ConnectTimeout',
      'Ciphers',
      'BatchMode',
      'IdentitiesOnly',
      'IdentityFile',
      'Port',
      'User',
    ]) {
      expect(r.stdout).toContain(opt);
    }
    expect(r.stdout).toContain('burrow connect -L 1100:mail.example.com:110 other.example.com');
  });
});

describe('burrow connect: carries traffic', () => {
  it('forwards through sshd, reports JSON events, and exits 0 on SIGINT with the port released', async () => {
    const port = await freePort();
    const run = burrow(['connect', '--json', '-L', `${port}:127.0.0.1:${echo.port}`, ...base(), dest()]);
    const listening = await run.waitFor((e) => e.event === 'listening');
    expect(listening).toMatchObject({ event: 'listening', forward: 'L1', bind: '127.0.0.1', port });
    expect(run.events().some((e) => e.event === 'state' && e.state === 'active')).toBe(true);
    const back = await roundTrip(port, Buffer.from('hello through burrow'));
    expect(back.toString()).toBe('hello through burrow');
    run.proc.kill('SIGINT');
    expect(await run.exited).toBe(0);
    // The listener is closed: the port can be bound again.
    await new Promise<void>((resolve, reject) => {
      const s = net
        .createServer()
        .once('error', reject)
        .listen(port, '127.0.0.1', () => s.close(() => resolve()));
    });
  });

  it('-R 0:host:port reports the port the server picked, and carries traffic back', async () => {
    const run = burrow(['connect', '--json', '-R', `0:127.0.0.1:${echo.port}`, ...base(), dest()]);
    const listening = await run.waitFor((e) => e.event === 'listening');
    expect(listening).toMatchObject({ forward: 'R1', bind: 'localhost' });
    const picked = listening.port as number;
    expect(picked).toBeGreaterThan(0);
    expect((await roundTrip(picked, Buffer.from('reverse'))).toString()).toBe('reverse');
    run.proc.kill('SIGINT');
    expect(await run.exited).toBe(0);
  });

  it('--socks-user protects a -D proxy with a password from BURROW_SOCKS_PASSWORD', async () => {
    const port = await freePort();
    const run = burrow(['connect', '--json', '-D', String(port), '--socks-user', 'alice', ...base(), dest()], { env: { BURROW_SOCKS_PASSWORD: 'wonderland' } });
    await run.waitFor((e) => e.event === 'listening');
    const wrong = await socks5(port, { ipv4: '127.0.0.1' }, echo.port, { auth: { username: 'alice', password: 'nope' } });
    expect(wrong.authStatus).not.toBe(0);
    const none = await socks5(port, { ipv4: '127.0.0.1' }, echo.port);
    expect(none.method).toBe(0xff);
    const ok = await socks5(port, { ipv4: '127.0.0.1' }, echo.port, { auth: { username: 'alice', password: 'wonderland' } });
    expect(ok.status).toBe(0);
    ok.sock.end('socks with a login');
    const echoed = await new Promise<string>((resolve) => {
      let got = '';
      ok.sock.on('data', (d) => (got += d));
      ok.sock.on('end', () => resolve(got));
    });
    expect(echoed).toBe('socks with a login');
    run.proc.kill('SIGINT');
    expect(await run.exited).toBe(0);
  });

  it('--socks-user without a -D is bad input', async () => {
    const r = await burrowDone(['connect', '-L', '1100:h:110', '--socks-user', 'alice', '-F', '/dev/null', dest()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--socks-user protects a SOCKS proxy: add a -D forward, or leave --socks-user out.');
  });

  it('resolves a Host alias from -F, with its LocalForward lines and %-tokens', async () => {
    const port = await freePort();
    const cfg = join(dir, 'ssh_config');
    writeFileSync(
      cfg,
      [
        'Host mail-gw',
        '  HostName 127.0.0.1',
        `  Port ${sshd.port}`,
        `  User ${sshd.user}`,
        `  IdentityFile ${sshd.userKey}`,
        `  UserKnownHostsFile ${dir}/kh-%h-%p-%r`,
        `  LocalForward ${port} 127.0.0.1:${echo.port}`,
        'Host *',
        '  BatchMode yes',
        '  StrictHostKeyChecking yes',
      ].join('\n'),
    );
    copyFileSync(sshd.knownHosts, join(dir, `kh-127.0.0.1-${sshd.port}-${sshd.user}`));
    const run = burrow(['connect', '--json', '-F', cfg, 'mail-gw']);
    const listening = await run.waitFor((e) => e.event === 'listening');
    expect(listening).toMatchObject({ forward: 'L1', port });
    expect((await roundTrip(port, Buffer.from('from ssh_config'))).toString()).toBe('from ssh_config');
    run.proc.kill('SIGINT');
    expect(await run.exited).toBe(0);
  });

  it('prints a line per event on stderr without --json, and stops on SIGTERM', async () => {
    const port = await freePort();
    const run = burrow(['connect', '-L', `${port}:127.0.0.1:${echo.port}`, ...base(), dest()]);
    await new Promise<void>((resolve) => {
      const t = setInterval(() => run.stderr().includes('listening on') && (clearInterval(t), resolve()), 25);
    });
    expect(run.stderr()).toContain(`L1: listening on 127.0.0.1:${port} -> 127.0.0.1:${echo.port}`);
    run.proc.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });

  it('keeps the forward up and reports per-connection errors: refused, prohibited', async () => {
    const closed = await freePort();
    const port = await freePort();
    const run = burrow(['connect', '--json', '-L', `${port}:127.0.0.1:${closed}`, ...base(), dest()]);
    await run.waitFor((e) => e.event === 'listening');
    await roundTrip(port, Buffer.from('x')).catch(() => undefined);
    const err = await run.waitFor((e) => e.event === 'error');
    expect(err.code).toBe('DEST_REFUSED');
    expect(err.message).toMatch(/refused the connection .*"Connection refused"/);
    expect(run.proc.exitCode).toBeNull();
    run.proc.kill('SIGINT');
    expect(await run.exited).toBe(0);

    const locked = await startSshd({ config: ['AllowTcpForwarding no'] });
    try {
      const p2 = await freePort();
      const r2 = burrow([
        'connect',
        '--json',
        '-L',
        `${p2}:127.0.0.1:${echo.port}`,
        '-i',
        locked.userKey,
        '-o',
        `UserKnownHostsFile=${locked.knownHosts}`,
        '-o',
        'BatchMode=yes',
        '-p',
        String(locked.port),
        '-F',
        '/dev/null',
        dest(),
      ]);
      await r2.waitFor((e) => e.event === 'listening');
      await roundTrip(p2, Buffer.from('x')).catch(() => undefined);
      const e2 = await r2.waitFor((e) => e.event === 'error');
      expect(e2.code).toBe('DEST_PROHIBITED');
      expect(e2.message).toMatch(/administratively prohibited.*\/etc\/ssh\/sshd_config/);
      r2.proc.kill('SIGINT');
      expect(await r2.exited).toBe(0);
    } finally {
      await cleanup(locked);
    }
  });
});

describe('burrow connect: bad input exits 2 before connecting', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['a malformed spec', ['-L', 'nonsense'], /-L nonsense: .*Expected \[bind_address:\]port:host:hostport/],
    ['a spec without destination port', ['-L', '1100:mail.example.com'], /-L 1100:mail.example.com: missing the destination host and port/],
    ['a local port out of range', ['-L', '70000:mail.example.com:110'], /Local port must be between 1 and 65535 \(got 70000\)/],
    ['a destination port out of range', ['-L', '1100:mail.example.com:0'], /Destination port must be between 1 and 65535 \(got 0\)/],
    [
      'an unknown -o option',
      ['-L', '1100:h:110', '-o', 'FrobnicateHosts=yes'],
      /Unknown option 'FrobnicateHosts' in -o FrobnicateHosts=yes\. Burrow understands: .*StrictHostKeyChecking/,
    ],
    [
      'a bad -o value',
      ['-L', '1100:h:110', '-o', 'StrictHostKeyChecking=maybe'],
      /Bad value 'maybe' for StrictHostKeyChecking: expected yes, accept-new, no or ask/,
    ],
    ['an unreadable key file', ['-L', '1100:h:110', '-i', '/nonexistent/id_ed25519'], /Cannot read identity file \/nonexistent\/id_ed25519: it does not exist/],
    ['nothing to forward', [], /Nothing to forward: give at least one -L, -R or -D/],
  ];
  for (const [what, args, message] of cases) {
    it(`refuses ${what}`, async () => {
      const seen = sshd.log().split('Connection from').length;
      const r = await burrowDone(['connect', ...args, '-p', String(sshd.port), '-F', '/dev/null', dest()]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      // Nothing was started: no listener, and sshd saw no connection from us.
      expect(r.stderr).not.toContain('listening');
      expect(sshd.log().split('Connection from').length).toBe(seen);
    });
  }

  it('names key formats it cannot read, with what to do', async () => {
    const pkcs8 = join(dir, 'pkcs8_rsa');
    keygen(pkcs8, 'rsa', '', ['-m', 'PKCS8', '-b', '2048']);
    expect(readFileSync(pkcs8, 'utf8')).toContain('BEGIN PRIVATE KEY');
    const ppk = join(dir, 'key.ppk');
    writeFileSync(ppk, 'PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: x\nPublic-Lines: 1\nAAAA\n');
    const cases: Array<[string, RegExp]> = [
      [pkcs8, /is a PKCS#8 key \("BEGIN PRIVATE KEY"\), which Burrow cannot read\. Convert it to the OpenSSH format in place with: ssh-keygen -p -f /],
      [ppk, /is a PuTTY PPK version 3 key, which Burrow cannot read\. Export it in the OpenSSH format with: puttygen /],
      [`${sshd.userKey}.pub`, /is a public key, which Burrow cannot read\. Pass the private key instead/],
    ];
    for (const [file, message] of cases) {
      const r = await burrowDone(['connect', '--json', '-L', '1100:h:110', '-i', file, '-F', '/dev/null', dest()]);
      expect(r.code).toBe(2);
      expect(r.events[0]).toMatchObject({ event: 'error', code: 'KEY_UNSUPPORTED' });
      expect(String(r.events[0].message)).toMatch(message);
    }
  });
});

describe('burrow connect: refusals at start-up exit 1', () => {
  it('authentication failed: says which methods were tried', async () => {
    const stranger = keygen(join(dir, 'stranger'));
    const r = await burrowDone([
      'connect',
      '-L',
      `${await freePort()}:127.0.0.1:1`,
      '-i',
      stranger,
      '-o',
      'IdentitiesOnly=yes',
      '-o',
      'IdentityAgent=none',
      '-o',
      `UserKnownHostsFile=${sshd.knownHosts}`,
      '-o',
      'BatchMode=yes',
      '-p',
      String(sshd.port),
      '-F',
      '/dev/null',
      dest(),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Authentication failed for ${sshd.user}@127.0.0.1. Methods tried: publickey (${stranger})`);
  });

  it('a changed host key: refuses, warns of an attack, names file and line', async () => {
    const other = keygen(join(dir, 'otherhost'));
    const kh = join(dir, 'kh_changed');
    writeFileSync(kh, `[127.0.0.1]:${sshd.port} ${readFileSync(`${other}.pub`, 'utf8').split(' ').slice(0, 2).join(' ')}\n`);
    const r = await burrowDone([
      'connect',
      '-L',
      `${await freePort()}:127.0.0.1:1`,
      '-i',
      sshd.userKey,
      '-o',
      `UserKnownHostsFile=${kh}`,
      '-o',
      'BatchMode=yes',
      '-p',
      String(sshd.port),
      '-F',
      '/dev/null',
      dest(),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/host key of \[127\.0\.0\.1\]:\d+ has changed.*could be an attack/);
    expect(r.stderr).toContain(`${kh} line 1`);
  });

  it('an unknown host under StrictHostKeyChecking=yes', async () => {
    const kh = join(dir, 'kh_empty');
    writeFileSync(kh, '');
    const r = await burrowDone([
      'connect',
      '-L',
      `${await freePort()}:127.0.0.1:1`,
      '-i',
      sshd.userKey,
      '-o',
      `UserKnownHostsFile=${kh}`,
      '-o',
      'StrictHostKeyChecking=yes',
      '-p',
      String(sshd.port),
      '-F',
      '/dev/null',
      dest(),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/The host \[127\.0\.0\.1\]:\d+ is not known \(ssh-ed25519 key SHA256:\S+\) and StrictHostKeyChecking is yes/);
  });

  it('a local port already in use: names the port and the process holding it', async () => {
    const holder = net.createServer().listen(0, '127.0.0.1');
    await new Promise((r) => holder.once('listening', r));
    const busy = (holder.address() as net.AddressInfo).port;
    const r = await burrowDone(['connect', '-L', `${busy}:127.0.0.1:${echo.port}`, ...base(), dest()]);
    holder.close();
    expect(r.code).toBe(1);
    // Said once, with an example spec of this command.
    expect(r.stderr).toBe(
      'burrow: L1: connecting\n' +
        `burrow: L1: error: Local port ${busy} is already in use by node (pid ${process.pid}): cannot listen on 127.0.0.1:${busy}. Choose another port, or stop the program using it. For example: -L 127.0.0.1:${busy + 1}:127.0.0.1:${echo.port}\n` +
        'burrow: L1: failed (see the error above)\n' +
        'burrow: nothing could be started; exiting\n',
    );
  });

  it('a port below 1024 without privileges: suggests one of 1024 or above', async () => {
    // As root, run the command as 'nobody' so that the OS refuses the bind.
    const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534, env: { HOME: dir } } : {};
    const r = await burrowDone(
      ['connect', '-L', `110:127.0.0.1:${echo.port}`, '-p', String(sshd.port), '-F', '/dev/null', '-o', 'BatchMode=yes', dest()],
      asNobody,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `burrow: L1: error: Binding local port 110 needs root or administrator rights. Use a port of 1024 or above instead (such as 1100 for 110). For example: -L 127.0.0.1:1100:127.0.0.1:${echo.port}\n`,
    );
  });

  it('a wrong passphrase typed at the terminal', async () => {
    const locked = join(dir, 'locked_key');
    keygen(locked, 'ed25519', 'correct horse');
    // Authorise it, so that only the passphrase can be wrong.
    writeFileSync(join(sshd.dir, 'authorized_keys'), readFileSync(`${sshd.userKey}.pub`, 'utf8') + readFileSync(`${locked}.pub`, 'utf8'));
    // `script` gives the command a real terminal, as a person would have.
    const run = burrowOnTerminal([
      'connect',
      '-L',
      `${await freePort()}:127.0.0.1:1`,
      '-i',
      locked,
      '-o',
      'IdentitiesOnly=yes',
      '-o',
      'IdentityAgent=none',
      '-o',
      `UserKnownHostsFile=${sshd.knownHosts}`,
      '-p',
      String(sshd.port),
      '-F',
      '/dev/null',
      dest(),
    ]);

    const asked = (n: number) =>
      new Promise<void>((resolve) => {
        const t = setInterval(() => run.stdout().split('Enter passphrase').length > n && (clearInterval(t), resolve()), 25);
      });
    // As ssh: asked again after a wrong answer, three times in all.
    for (let n = 1; n <= 3; n++) {
      await asked(n);
      run.proc.stdin!.write(`not the passphrase ${n}\r`);
    }
    const code = await run.exited;
    expect(code).toBe(1);
    expect(run.stdout().split('Wrong passphrase, try again.').length - 1).toBe(2);
    expect(run.stdout()).toContain(`Wrong passphrase for identity file ${locked} (asked 3 times), so the key was skipped.`);
  });
});
