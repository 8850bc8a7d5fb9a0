// `burrow connect` flags beyond the forwards: -c -C -4 -6 -g -E -f, FIDO keys
// given with -i, ProxyCommand in the ssh config, and forwards that fail to
// start (with and without ExitOnForwardFailure). The real command, a real sshd.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import ssh2 from 'ssh2';
import { CONNECT_FLAGS } from '../../../electron/cli/connect';
import { OPTIONS, resolveHost, parseOption } from '../../../electron/sshconfig/host-options';
import { checkAddressFamilyResolves } from '../../../electron/sshconfig/address-family';
import { loadSshConfig } from '../../../electron/sshconfig/ssh-config';
import { testHost } from '../../support/hosts';
import { cleanup, freePort, startSshd, type Sshd } from '../../support/sshd';
import { echoServer, roundTrip, type TestServer } from '../../support/tcp';
import { burrow, burrowDone } from '../../support/cli';

let sshd: Sshd;
let echo: TestServer;
let dir: string;
let knownHosts: string;

beforeAll(async () => {
  // On both loopback families, logging what was negotiated (DEBUG1) and where connections come from.
  sshd = await startSshd({ listen: ['127.0.0.1', '::1'], config: ['LogLevel DEBUG1'] });
  echo = await echoServer();
  dir = mkdtempSync(join(tmpdir(), 'burrow-flags-'));
  knownHosts = join(dir, 'known_hosts');
  writeFileSync(knownHosts, ['127.0.0.1', 'localhost', '::1'].map((h) => `[${h}]:${sshd.port} ${sshd.hostPublicKey}\n`).join(''));
});

afterAll(async () => {
  await echo.close();
  await cleanup(sshd);
});

const common = () => [
  '--json',
  '-o',
  `UserKnownHostsFile=${knownHosts}`,
  '-o',
  'StrictHostKeyChecking=yes',
  '-o',
  'BatchMode=yes',
  '-p',
  String(sshd.port),
  '-F',
  '/dev/null',
];
const base = () => ['-i', sshd.userKey, ...common()];
const dest = (host = '127.0.0.1') => `${sshd.user}@${host}`;

/** Starts `burrow connect` with one -L to the echo server, checks traffic, stops it; returns what sshd logged meanwhile. */
async function carries(extra: string[], host = '127.0.0.1'): Promise<{ log: string; events: Array<Record<string, unknown>> }> {
  const before = sshd.log().length;
  const port = await freePort();
  const run = burrow(['connect', ...base(), '-L', `${port}:127.0.0.1:${echo.port}`, ...extra, dest(host)]);
  await run.waitFor((e) => e.event === 'listening');
  expect((await roundTrip(port, Buffer.from('flags'))).toString()).toBe('flags');
  run.proc.kill('SIGINT');
  expect(await run.exited).toBe(0);
  return { log: sshd.log().slice(before), events: run.events() };
}

describe('burrow connect --help', () => {
  it('documents every flag planConnect accepts, and every -o option', async () => {
    const r = await burrowDone(['connect', '--help']);
    expect(r.code).toBe(0);
    const short = [...CONNECT_FLAGS.withValue, ...CONNECT_FLAGS.boolean].map((c) => `-${c}`);
    const long = [...CONNECT_FLAGS.long, ...(CONNECT_FLAGS.longWithValue ?? [])].map((l) => `--${l}`);
    for (const flag of [...short, ...long]) {
      expect(r.stdout, `${flag} is not in the help`).toMatch(new RegExp(`(^|[\\s,])${flag.replace(/[-]/g, '\\-')}(?![\\w-])`, 'm'));
    }
    for (const o of Object.values(OPTIONS)) expect(r.stdout, `${o.name} is not in the help`).toContain(o.name);
  });
});

describe('flags that change the connection', () => {
  it('-f is refused: Burrow has no background mode', async () => {
    const r = await burrowDone(['connect', '-f', '-L', '1100:h:110', '-F', '/dev/null', 'h']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('-f (go to the background) is not supported: Burrow has no background mode.');
    expect(r.stderr).toContain('under a service manager');
    expect(r.stderr).toContain('desktop app');
  });

  it('-c cipher_spec picks the cipher (as -o Ciphers), and an unknown one is bad input', async () => {
    expect((await carries(['-c', 'aes256-ctr'])).log).toMatch(/kex: client->server cipher: aes256-ctr /);
    expect((await carries(['-c', '^aes192-ctr'])).log).toMatch(/kex: client->server cipher: aes192-ctr /);
    const r = await burrowDone(['connect', '-c', 'rc4', '-L', '1100:h:110', '-F', '/dev/null', 'h']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Unsupported Ciphers name 'rc4' in 'rc4'. Burrow (ssh2) supports:");
  });

  it('-C compresses the connection (zlib@openssh.com, negotiated with sshd)', async () => {
    expect((await carries(['-C'])).log).toMatch(/kex: client->server cipher: \S+ MAC: \S+ compression: zlib@openssh.com/);
    expect((await carries([])).log).toMatch(/compression: none/);
  });

  it('-4 connects over IPv4 and checks the host key under the name given (localhost)', async () => {
    const { log } = await carries(['-4'], 'localhost');
    expect(log).toMatch(/Connection from 127\.0\.0\.1 port/);
  });

  it('-6 connects over IPv6', async () => {
    const { log } = await carries(['-6'], '::1');
    expect(log).toMatch(/Connection from ::1 port/);
  });

  it('-6 with an IPv4 address is bad input, -4 with IPv6 too', async () => {
    const r6 = await burrowDone(['connect', '-6', '-L', '1100:h:110', '-F', '/dev/null', '127.0.0.1']);
    expect(r6.code).toBe(2);
    expect(r6.stderr).toContain('-6 (AddressFamily inet6) asks for IPv6, but 127.0.0.1 is an IPv4 address.');
    const r4 = await burrowDone(['connect', '-o', 'AddressFamily=inet', '-L', '1100:h:110', '-F', '/dev/null', '[::1]']);
    expect(r4.code).toBe(2);
    expect(r4.stderr).toContain('-4 (AddressFamily inet) asks for IPv4, but ::1 is an IPv6 address.');
  });

  it('checks that the first hop has an address in the family asked for, and pins nothing (reconnects resolve again)', async () => {
    const host = testHost({ hostname: 'db.example', port: 2222, knownHostsFiles: [], addressFamily: 6 });
    const asked: Array<[string, number]> = [];
    const lookup = async (name: string, o: { family: 4 | 6 }) => {
      asked.push([name, o.family]);
      return { address: o.family === 6 ? '2001:db8::7' : '192.0.2.7' };
    };
    await expect(checkAddressFamilyResolves(host, lookup)).resolves.toBeUndefined();
    const viaJump = { ...host, addressFamily: undefined, jump: [{ ...host, hostname: 'bastion.example', jump: [] }] };
    await checkAddressFamilyResolves(viaJump, lookup);
    // The first hop only: the target is resolved by the bastion.
    expect(asked).toEqual([
      ['db.example', 6],
      ['bastion.example', 6],
    ]);
    const none = async () => {
      throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    };
    await expect(checkAddressFamilyResolves(host, none)).rejects.toThrow(
      'db.example has no IPv6 address (ENOTFOUND), and -6 (AddressFamily inet6) allows no other. Leave out -6 to use any address.',
    );
  });
});

describe('AddressFamily in the engine (saved hosts, reconnects)', () => {
  it('dials the first hop only in the family asked for, on every attempt', async () => {
    const { TunnelEngine } = await import('../../../electron/tunnels/engine');
    const { lookup } = await import('node:dns/promises');
    const has6 = await lookup('localhost', { family: 6 }).then(
      () => true,
      () => false,
    );
    const engine = new TunnelEngine({ retryFirstConnect: false });
    try {
      const host = (family: 4 | 6) =>
        testHost({
          hostname: 'localhost',
          port: sshd.port,
          user: sshd.user,
          identityFiles: [sshd.userKey],
          knownHostsFiles: [knownHosts],
          addressFamily: family,
        });
      const target = { host: '127.0.0.1', port: echo.port };
      engine.add('v4', host(4), { kind: 'local', listen: { host: '127.0.0.1', port: 0 }, target });
      expect((await engine.start('v4')).state.state).toBe('active');
      engine.add('v6', host(6), { kind: 'local', listen: { host: '127.0.0.1', port: 0 }, target });
      const v6 = engine.start('v6');
      if (has6) {
        // Where localhost has an IPv6 address, the session comes from ::1.
        expect((await v6).state.state).toBe('active');
        expect(sshd.log()).toMatch(/Connection from ::1 port/);
      } else {
        // Here localhost is 127.0.0.1 only: IPv6 was asked for, so there is nothing to dial.
        await expect(v6).rejects.toMatchObject({ code: expect.stringMatching(/SSH_CONNECT_FAILED|DNS/) });
      }
    } finally {
      await engine.shutdown();
    }
  });
});

describe('-g: local forwards on every address', () => {
  it('-g makes -L PORT:... listen on IPv4 and IPv6 (reached over 127.0.0.1 and ::1); an explicit bind address stays', async () => {
    const [open, explicit] = [await freePort(), await freePort()];
    const run = burrow(['connect', ...base(), '-g', '-L', `${open}:127.0.0.1:${echo.port}`, '-L', `127.0.0.1:${explicit}:127.0.0.1:${echo.port}`, dest()]);
    const l1 = await run.waitFor((e) => e.event === 'listening' && e.forward === 'L1');
    expect(l1).toMatchObject({ bind: '*', port: open });
    const l2 = await run.waitFor((e) => e.event === 'listening' && e.forward === 'L2');
    expect(l2).toMatchObject({ bind: '127.0.0.1', port: explicit });
    expect((await roundTrip(open, Buffer.from('v4'), '127.0.0.1')).toString()).toBe('v4');
    expect((await roundTrip(open, Buffer.from('v6'), '::1')).toString()).toBe('v6');
    await expect(roundTrip(explicit, Buffer.from('x'), '::1')).rejects.toThrow(/ECONNREFUSED/);
    run.proc.kill('SIGINT');
    expect(await run.exited).toBe(0);
  });

  it('GatewayPorts yes in the ssh config does the same; without it the default stays 127.0.0.1', async () => {
    const cfg = join(dir, 'gw_config');
    writeFileSync(
      cfg,
      'Host gw\n  HostName 127.0.0.1\n  GatewayPorts yes\n  LocalForward 1100 mail:110\nHost plain\n  HostName 127.0.0.1\n  LocalForward 1100 mail:110\n',
    );
    const { planConnect } = await import('../../../electron/cli/connect');
    const io = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: {}, stopSignal: new Promise<string>(() => undefined) };
    expect(planConnect(['-F', cfg, 'gw'], io).forwards[0].spec.listen).toEqual({ host: '', port: 1100 });
    expect(planConnect(['-F', cfg, 'plain'], io).forwards[0].spec.listen).toEqual({ host: '127.0.0.1', port: 1100 });
    expect(planConnect(['-F', cfg, '-g', '-D', '1080', '-R', '8080:localhost:80', 'plain'], io).forwards.map((f) => f.spec.listen)).toEqual([
      { host: '', port: 1080 },
      { host: 'localhost', port: 8080 }, // -g is for local listeners; the server's GatewayPorts decides for -R
      { host: '', port: 1100 },
    ]);
  });
});

describe('-E log_file', () => {
  it('appends the event lines for people to the file, each with the time, instead of stderr', async () => {
    const log = join(dir, 'burrow.log');
    writeFileSync(log, 'earlier line\n');
    const port = await freePort();
    const run = burrow(['connect', '-E', log, '-i', sshd.userKey, ...common().slice(1), '-L', `${port}:127.0.0.1:${echo.port}`, dest()]);
    const deadline = Date.now() + 20_000;
    while (!readFileSync(log, 'utf8').includes('listening on') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    run.proc.kill('SIGINT');
    expect(await run.exited).toBe(0);
    const text = readFileSync(log, 'utf8');
    expect(text.startsWith('earlier line\n')).toBe(true);
    expect(text).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z burrow: L1: listening on 127\\.0\\.0\\.1:${port} -> 127\\.0\\.0\\.1:${echo.port}`, 'm'));
    expect(text).toMatch(/Z burrow: stopped \(SIGINT\)$/m);
    expect(run.stderr()).not.toContain('listening on');
  });

  it('a log file that cannot be written (a full disk) is said once on stderr; the tunnel keeps running', async () => {
    const port = await freePort();
    const run = burrow(['connect', '-E', '/dev/full', '-i', sshd.userKey, ...common().slice(1), '-L', `${port}:127.0.0.1:${echo.port}`, dest()]);
    try {
      const deadline = Date.now() + 20_000;
      while (!run.stderr().includes('cannot write the log file') && run.proc.exitCode === null && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      expect(run.proc.exitCode).toBeNull();
      expect(run.stderr().match(/cannot write the log file \/dev\/full \(-E\): .*ENOSPC.*; events are no longer logged there\./g)).toHaveLength(1);
      for (let i = 0; i < 100; i++) {
        const ok = await roundTrip(port, Buffer.from('still up')).then(
          (b) => b.toString() === 'still up',
          () => false,
        );
        if (ok) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect((await roundTrip(port, Buffer.from('still up'))).toString()).toBe('still up');
    } finally {
      run.proc.kill('SIGINT');
      await run.exited;
    }
  });

  it('a log file that cannot be opened is bad input', async () => {
    const r = await burrowDone(['connect', '-E', join(dir, 'no', 'such', 'dir', 'log'), '-L', '1100:h:110', '-F', '/dev/null', 'h']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`Cannot open the log file ${join(dir, 'no', 'such', 'dir', 'log')} (-E):`);
  });
});

describe('-i with a FIDO (sk-*) key', () => {
  let agent: ChildProcess;
  let agentSock: string;
  let skKey: string;

  beforeAll(async () => {
    // An sk-ssh-ed25519 private key file (its header is all Burrow reads); the agent holds the key that logs in.
    const type = Buffer.from('sk-ssh-ed25519@openssh.com');
    const len = Buffer.alloc(4);
    len.writeUInt32BE(type.length);
    const inner = Buffer.concat([Buffer.from('openssh-key-v1\0'), len, type, randomBytes(32)]).toString('base64');
    skKey = join(dir, 'id_ed25519_sk');
    writeFileSync(skKey, `-----BEGIN OPENSSH PRIVATE KEY-----\n${inner}\n-----END OPENSSH PRIVATE KEY-----\n`, { mode: 0o600 });
    agentSock = join(dir, 'agent.sock');
    agent = spawn('ssh-agent', ['-D', '-a', agentSock], { stdio: 'ignore' });
    for (let i = 0; i < 100 && !existsSync(agentSock); i++) await new Promise((r) => setTimeout(r, 50));
    execFileSync('ssh-add', ['-q', sshd.userKey], { env: { ...process.env, SSH_AUTH_SOCK: agentSock }, stdio: 'ignore' });
  });

  afterAll(() => {
    if (agent.pid) process.kill(agent.pid, 'SIGTERM');
  });

  const warning = (f: string) =>
    `Identity file ${f} is a FIDO security-key (sk-*) key, which Burrow cannot use, not even through ssh-agent (its SSH library, ssh2, has no sk-* keys): ` +
    `skipping it and trying the other ways to log in (the agent's other keys, other identity files, a password). ` +
    `For this host use a key without a security key (ssh-keygen -t ed25519, then add the .pub to the server's ~/.ssh/authorized_keys), or OpenSSH's ssh -L.`;

  it('ssh2 cannot take an sk-* key, which is why ssh-add does not help (its agent client drops such keys)', () => {
    const s = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
    const pub = Buffer.concat([s(Buffer.from('sk-ssh-ed25519@openssh.com')), s(randomBytes(32)), s(Buffer.from('ssh:'))]);
    expect(ssh2.utils.parseKey(pub)).toBeInstanceOf(Error);
  });

  it('is skipped with a warning (not exit 2), and the login goes on with the agent', async () => {
    const port = await freePort();
    const run = burrow(['connect', '-i', skKey, '-o', `IdentityAgent=${agentSock}`, ...common(), '-L', `${port}:127.0.0.1:${echo.port}`, dest()]);
    const warn = await run.waitFor((e) => e.event === 'log' && e.level === 'warn');
    expect(warn).toMatchObject({ code: 'KEY_UNSUPPORTED', message: warning(skKey) });
    await run.waitFor((e) => e.event === 'listening');
    expect((await roundTrip(port, Buffer.from('via the agent'))).toString()).toBe('via the agent');
    run.proc.kill('SIGINT');
    expect(await run.exited).toBe(0);
  });

  it('is skipped with a warning, and the login goes on with the next identity file (also when the ssh config names it)', async () => {
    const cfg = join(dir, 'sk_config');
    writeFileSync(cfg, `Host *\n  IdentityFile ${skKey}\n`);
    const port = await freePort();
    const run = burrow([
      'connect',
      '-i',
      skKey,
      '-i',
      sshd.userKey,
      '-o',
      'IdentityAgent=none',
      ...common().filter((a) => a !== '/dev/null' && a !== '-F'),
      '-F',
      cfg,
      '-L',
      `${port}:127.0.0.1:${echo.port}`,
      dest(),
    ]);
    await run.waitFor((e) => e.event === 'listening');
    expect(
      run
        .events()
        .filter((e) => e.event === 'log' && e.level === 'warn')
        .map((e) => e.message),
    ).toEqual([warning(skKey)]);
    expect((await roundTrip(port, Buffer.from('next key'))).toString()).toBe('next key');
    run.proc.kill('SIGINT');
    expect(await run.exited).toBe(0);
  });

  it('when nothing else logs in: authentication fails (exit 1), after the warning', async () => {
    const r = await burrowDone([
      'connect',
      '-i',
      skKey,
      '-o',
      'IdentityAgent=none',
      '-o',
      'IdentitiesOnly=yes',
      ...common(),
      '-L',
      `${await freePort()}:h:1`,
      dest(),
    ]);
    expect(r.code).toBe(1);
    expect(r.events.find((e) => e.event === 'log' && e.level === 'warn')?.message).toBe(warning(skKey));
    expect(r.events.find((e) => e.event === 'error')?.code).toBe('AUTH_FAILED');
  });
});

describe('ProxyCommand in the ssh config', () => {
  let cfg: string;
  beforeAll(() => {
    cfg = join(dir, 'proxy_config');
    writeFileSync(
      cfg,
      [
        'Host viaproxy',
        '  HostName 127.0.0.1',
        `  Port ${sshd.port}`,
        `  User ${sshd.user}`,
        '  ProxyCommand ssh -W %h:%p bastion.example.com',
        'Host noproxy',
        '  HostName 127.0.0.1',
        `  Port ${sshd.port}`,
        `  User ${sshd.user}`,
        '  ProxyCommand none',
        'Host jumpfirst',
        '  ProxyJump bastion.example.com',
        '  ProxyCommand ssh -W %h:%p other.example.com',
      ].join('\n'),
    );
  });

  it('is refused (exit 2) instead of silently connecting directly', async () => {
    const port = await freePort();
    const before = sshd.log().length;
    const r = await burrowDone([
      'connect',
      ...base().filter((a) => a !== '/dev/null' && a !== '-F'),
      '-F',
      cfg,
      '-L',
      `${port}:127.0.0.1:${echo.port}`,
      'viaproxy',
    ]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('"code":"USAGE"');
    expect(r.stdout).toContain(
      "The ssh config sets ProxyCommand for viaproxy (ssh -W %h:%p bastion.example.com): Burrow does not run ProxyCommand, and does not connect directly in its place. If the command reaches viaproxy through another host (for example 'ssh -W %h:%p bastion'), use ProxyJump bastion in the ssh config, or -J bastion. To connect directly, pass -o ProxyCommand=none.",
    );
    expect(sshd.log().slice(before)).not.toContain('Connection from');
  });

  it('ProxyCommand none connects directly; -o ProxyCommand=none overrides the config', async () => {
    const args = (alias: string, extra: string[] = []) => [
      '-i',
      sshd.userKey,
      ...common().filter((a) => a !== '/dev/null' && a !== '-F'),
      '-F',
      cfg,
      ...extra,
      alias,
    ];
    for (const a of [args('noproxy'), args('viaproxy', ['-o', 'ProxyCommand=none'])]) {
      const port = await freePort();
      const run = burrow(['connect', '-L', `${port}:127.0.0.1:${echo.port}`, ...a]);
      await run.waitFor((e) => e.event === 'listening');
      expect((await roundTrip(port, Buffer.from('direct'))).toString()).toBe('direct');
      run.proc.kill('SIGINT');
      expect(await run.exited).toBe(0);
    }
  });

  it('whichever of ProxyJump and ProxyCommand comes first wins, as in OpenSSH (and -J on the command line first of all)', () => {
    const { config } = loadSshConfig(cfg);
    expect(resolveHost({ destination: 'jumpfirst', options: [], config }).host.jump.map((j) => j.hostname)).toEqual(['bastion.example.com']);
    expect(resolveHost({ destination: 'viaproxy', options: [['proxyjump', 'hop.example.com']], config }).host.jump.map((j) => j.hostname)).toEqual([
      'hop.example.com',
    ]);
    expect(() => resolveHost({ destination: 'h', options: [parseOption('ProxyCommand=nc %h %p')] })).toThrow(
      /^-o ProxyCommand \(nc %h %p\): Burrow does not run ProxyCommand/,
    );
  });
});

describe('a forward that fails to start', () => {
  it('does not take the others down: the busy one is reported, the other carries traffic', async () => {
    const holder = net.createServer();
    const busy = await new Promise<number>((resolve) => holder.listen(0, '127.0.0.1', () => resolve((holder.address() as net.AddressInfo).port)));
    const free = await freePort();
    const run = burrow(['connect', ...base(), '-L', `${busy}:127.0.0.1:${echo.port}`, '-L', `${free}:127.0.0.1:${echo.port}`, dest()]);
    const err = await run.waitFor((e) => e.event === 'error' && e.forward === 'L1');
    expect(err.code).toBe('PORT_IN_USE');
    await run.waitFor((e) => e.event === 'listening' && e.forward === 'L2');
    expect(run.events().some((e) => e.event === 'log' && e.message === 'L1 could not be set up; the other forwards keep running.')).toBe(true);
    expect((await roundTrip(free, Buffer.from('still up'))).toString()).toBe('still up');
    expect(run.proc.exitCode).toBeNull();
    run.proc.kill('SIGINT');
    expect(await run.exited).toBe(0);
    holder.close();
  });

  it('with -o ExitOnForwardFailure=yes: stops everything and exits 1, releasing the ports it had', async () => {
    const holder = net.createServer();
    const busy = await new Promise<number>((resolve) => holder.listen(0, '127.0.0.1', () => resolve((holder.address() as net.AddressInfo).port)));
    const free = await freePort();
    const r = await burrowDone([
      'connect',
      ...base(),
      '-o',
      'ExitOnForwardFailure=yes',
      '-L',
      `${free}:127.0.0.1:${echo.port}`,
      '-L',
      `${busy}:127.0.0.1:${echo.port}`,
      dest(),
    ]);
    expect(r.code).toBe(1);
    expect(r.events.find((e) => e.event === 'listening')).toMatchObject({ forward: 'L1', port: free });
    expect(r.events.find((e) => e.event === 'error')).toMatchObject({ forward: 'L2', code: 'PORT_IN_USE' });
    expect(r.events.at(-1)).toMatchObject({ event: 'stopped', reason: 'forward-failure', forward: 'L2' });
    await new Promise<void>((resolve, reject) => {
      const s = net
        .createServer()
        .once('error', reject)
        .listen(free, '127.0.0.1', () => s.close(() => resolve()));
    });
    holder.close();
  });

  it('a host that cannot be reached is tried once, not once per forward', async () => {
    const closed = await freePort();
    const r = await burrowDone([
      'connect',
      '--json',
      '-i',
      sshd.userKey,
      '-o',
      `UserKnownHostsFile=${knownHosts}`,
      '-o',
      'BatchMode=yes',
      '-p',
      String(closed),
      '-F',
      '/dev/null',
      '-L',
      `${await freePort()}:h:1`,
      '-L',
      `${await freePort()}:h:2`,
      dest(),
    ]);
    expect(r.code).toBe(1);
    const errors = r.events.filter((e) => e.event === 'error');
    expect(errors.map((e) => e.forward)).toEqual(['L1', 'L2']);
    expect(errors[1].message).toBe('Not started: 127.0.0.1 could not be reached (see the error of L1).');
    expect(r.events.filter((e) => e.event === 'state' && e.forward === 'L2')).toEqual([]);
  });
});
