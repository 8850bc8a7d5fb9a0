// The burrow command says the right thing (issue 13 items 8-13, issue 11 item 4):
// ls with shared ports, ssh-config import aliases, exports ssh can use, IdentityFile
// tokens, editing a host's address, and exposed-listener warnings.
import { spawn, execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../electron/cli/main';
import { connect, planConnect } from '../../../electron/cli/connect';
import { describeRuntime } from '../../../electron/cli/ls';
import { fakeTerminal, inProcessIO, runInProcess, startListening } from '../../support/cli-in-process';
import { cleanup, freePort, startSshd, type Sshd } from '../../support/sshd';
import { echoServer, roundTrip, type TestServer } from '../../support/tcp';

let sshd: Sshd;
let echo: TestServer;
const dirs: string[] = [];

/** `burrow add host NAME` for a test sshd: its user, port, key and known_hosts, strict checking. */
function addHost(name: string, s: Sshd, address = '127.0.0.1'): string[] {
  return ['add', 'host', name, `${s.user}@${address}:${s.port}`, '-i', s.userKey, '--known-hosts', s.knownHosts, '-o', 'StrictHostKeyChecking=yes'];
}

/** A fresh profile directory. */
function profiles(): string {
  const d = mkdtempSync(join(tmpdir(), 'burrow-cli-wording-'));
  dirs.push(d);
  return d;
}

beforeAll(async () => {
  sshd = await startSshd();
  echo = await echoServer();
});

afterAll(async () => {
  await echo?.close();
  await cleanup(sshd);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('burrow ls', () => {
  it('two stopped forwards on the same local port are both "stopped" (the probes do not collide)', async () => {
    const dir = profiles();
    const burrow = (...argv: string[]) => runInProcess(dir, argv);
    expect((await burrow(...addHost('lab', sshd))).code).toBe(0);
    const port = await freePort();
    for (let i = 1; i <= 3; i++) expect((await burrow('add', 'forward', `f${i}`, '-L', `${port}:127.0.0.1:${echo.port}`, '--via', 'lab')).code).toBe(0);
    // Repeated: a collision depends on timing, so give it several chances to show.
    for (let round = 0; round < 5; round++) {
      const ls = await burrow('ls', '--json');
      expect(ls.code, ls.err).toBe(0);
      expect(JSON.parse(ls.out).forwards.map((f: { state: string }) => f.state)).toEqual(['stopped', 'stopped', 'stopped']);
    }
    const text = await burrow('ls');
    expect(text.out).not.toContain('in use');

    // One of them running in burrow up: the others are stopped, and say who has their port.
    const up = await startListening(dir, ['up', 'f1', '--json']);
    const ls = JSON.parse((await burrow('ls', '--json')).out).forwards;
    expect(ls[0]).toMatchObject({ name: 'f1', state: 'active' });
    expect(ls[1]).toMatchObject({
      name: 'f2',
      state: 'stopped',
      status: `stopped (its port ${port} is used by forward 'f1', running in burrow up (pid ${process.pid}): active, destination not yet tried)`,
    });
    expect(ls[2].state).toBe('stopped');
    expect(await up.stop()).toBe(0);
  });
});

describe('burrow import ssh-config', () => {
  it('Host mail mail-tunnel is one host (the others as aliases) with each forward once; up --all starts them all', async () => {
    const dir = profiles();
    const [p1, p2] = [await freePort(), await freePort()];
    const conf = join(dir, 'ssh_config');
    writeFileSync(
      conf,
      [
        'Host mail mail-tunnel',
        '    HostName 127.0.0.1',
        `    Port ${sshd.port}`,
        `    User ${sshd.user}`,
        `    IdentityFile ${sshd.userKey}`,
        `    UserKnownHostsFile ${sshd.knownHosts}`,
        '    StrictHostKeyChecking yes',
        `    LocalForward ${p1} 127.0.0.1:${echo.port}`,
        `    LocalForward 127.0.0.1:${p2} 127.0.0.1:${echo.port}`,
        'Host relay',
        '    HostName 127.0.0.1',
        '    ProxyJump mail-tunnel',
        '',
      ].join('\n'),
    );
    const imp = await runInProcess(dir, ['import', 'ssh-config', conf, '--json']);
    expect(imp.code, imp.err).toBe(0);
    const ls = JSON.parse((await runInProcess(dir, ['ls', '--json'])).out);
    expect(ls.hosts.map((h: { name: string }) => h.name)).toEqual(['mail', 'relay']);
    expect(ls.hosts[0].aliases).toEqual(['mail-tunnel']);
    expect((await runInProcess(dir, ['ls'])).out).toMatch(/^ {2}mail .*aliases=mail-tunnel$/m);
    // A jump through the alias is a jump through the one host.
    expect(ls.hosts[1].jump).toEqual(['mail']);
    expect(ls.forwards.map((f: { name: string; host: string }) => `${f.name} via ${f.host}`)).toEqual([`mail-L${p1} via mail`, `mail-L${p2} via mail`]);
    // The export keeps the alias on the Host line.
    const exp = await runInProcess(dir, ['export', '--format', 'ssh-config']);
    expect(exp.out).toContain('Host mail mail-tunnel\n');

    const up = inProcessIO(dir);
    const exit = main(['up', '--all', '--json'], up);
    await eventually(
      () => up.out().split('"event":"listening"').length - 1 === 2,
      () => up.out() + up.err(),
    );
    expect((await roundTrip(p2, Buffer.from('once'))).toString()).toBe('once');
    expect(up.out()).not.toContain('"event":"error"');
    up.stop();
    expect(await exit).toBe(0);
  });

  it('two saved forwards on one port in the same burrow up: the second names the first, not "in use by node"', async () => {
    const dir = profiles();
    const burrow = (...argv: string[]) => runInProcess(dir, argv);
    expect((await burrow(...addHost('lab', sshd))).code).toBe(0);
    const port = await freePort();
    expect((await burrow('add', 'forward', 'first', '-L', `${port}:127.0.0.1:${echo.port}`, '--via', 'lab')).code).toBe(0);
    expect((await burrow('add', 'forward', 'second', '-L', `${port}:127.0.0.1:${echo.port}`, '--via', 'lab')).code).toBe(0);
    const up = inProcessIO(dir);
    const exit = main(['up', '--all'], up);
    await eventually(
      () => up.err().includes('second') && up.err().includes('listening'),
      () => up.err(),
    );
    await eventually(
      () => /second.*port/.test(up.err()),
      () => up.err(),
    );
    up.stop();
    expect(await exit).toBe(0);
    expect(up.err()).toContain(`Local port ${port} is already used by forward 'first' of this same Burrow process`);
    expect(up.err()).not.toMatch(/in use by node/);
  });
});

/** Waits for a condition (load-tolerant), failing with what() after 20 s. */
async function eventually(cond: () => boolean, what: () => string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out; output:\n${what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('burrow export and the real ssh', () => {
  let bastion: Sshd;
  let middle: Sshd;
  let target: Sshd;
  let dir: string;
  beforeAll(async () => {
    [bastion, middle, target] = await Promise.all([startSshd(), startSshd(), startSshd()]);
    dir = profiles();
    const burrow = (...argv: string[]) => runInProcess(dir, argv);
    // Each server has its own key: a hop reached with the target's key (or ssh's defaults) is refused.
    const hosts = [
      addHost('jump@edge', bastion),
      addHost('mid', middle),
      // Two hops, each with its own key and known_hosts.
      [...addHost('inner', target), '-J', 'jump@edge,mid'],
      ['add', 'forward', 'echo', '-L', `${await freePort()}:127.0.0.1:${echo.port}`, '--via', 'inner'],
    ];
    for (const args of hosts) {
      const r = await burrow(...args);
      expect(r.code, r.err).toBe(0);
    }
  });
  afterAll(async () => {
    await Promise.all([cleanup(bastion), cleanup(middle), cleanup(target)]);
  });

  it('--format ssh-config: ProxyJump names the exported hop, and ssh -F reaches the target through it', async () => {
    const exp = await runInProcess(dir, ['export', '--format', 'ssh-config']);
    expect(exp.code, exp.err).toBe(0);
    expect(exp.out).toContain('Host jump-at-edge\n');
    expect(exp.out).toContain('    ProxyJump jump-at-edge,mid\n');
    const conf = join(dir, 'exported.conf');
    writeFileSync(conf, exp.out);
    const r = await promisify(execFile)('ssh', ['-F', conf, '-o', 'BatchMode=yes', 'inner', 'echo', 'reached-inner'], { timeout: 30_000 }).catch((e) => e);
    expect(r.stdout, r.stderr).toBe('reached-inner\n');
  });

  it('--format ssh: the printed command reaches each hop with its own key (nested ProxyCommand) and carries the forward', async () => {
    const exp = await runInProcess(dir, ['export', '--format', 'ssh', 'echo']);
    expect(exp.code, exp.err).toBe(0);
    expect(exp.out).not.toContain(' -J ');
    const local = Number(/-L (?:[\d.]+:)?(\d+):/.exec(exp.out)![1]);
    // As printed, with ssh's own config kept out and nobody to ask.
    const command = exp.out.trim().replace(/^ssh /, 'exec ssh -F /dev/null -o BatchMode=yes -o ExitOnForwardFailure=yes ');
    const ssh = spawn('sh', ['-c', command], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    ssh.stderr.on('data', (d) => (err += d));
    try {
      let reply = '';
      const end = Date.now() + 30_000;
      while (reply !== 'through ssh' && Date.now() < end && ssh.exitCode === null) {
        reply = await roundTrip(local, Buffer.from('through ssh'))
          .then((b) => b.toString())
          .catch(() => '');
        if (reply !== 'through ssh') await new Promise((r) => setTimeout(r, 100));
      }
      expect(reply, `${exp.out}\n${err}`).toBe('through ssh');
    } finally {
      ssh.kill();
    }
  });
});

describe('IdentityFile %-tokens', () => {
  it('are expanded as the installed ssh expands them (%% %C %d %h %i %k %L %l %n %p %r %u), in connect -F and import ssh-config', async () => {
    const dir = profiles();
    const expr = `${dir}/k_%%_%C_%h_%i_%k_%L_%l_%n_%p_%r_%u_%d`;
    const conf = join(dir, 'ssh_config');
    const block = (alias: string, extra: string[] = []) => [
      `Host ${alias}`,
      '    HostName 127.0.0.1',
      `    Port ${sshd.port}`,
      '    User tokenuser',
      `    IdentityFile ${expr}`,
      `    UserKnownHostsFile ${sshd.knownHosts}`,
      '    StrictHostKeyChecking yes',
      '    IdentitiesOnly yes',
      ...extra,
    ];
    writeFileSync(conf, [...block('tok'), ...block('tok-alias', ['    HostKeyAlias some-key-alias']), ''].join('\n'));
    for (const alias of ['tok', 'tok-alias']) {
      // ssh -v names each identity file it would try, expanded (sshd refuses the login: that is fine).
      const r = await promisify(execFile)('ssh', ['-v', '-F', conf, '-o', 'BatchMode=yes', alias, 'true'], { timeout: 30_000 }).catch((e) => e);
      const bySsh = /debug1: identity file (\S+) type/.exec(r.stderr)?.[1];
      expect(bySsh, r.stderr).toBeDefined();
      expect(bySsh).not.toContain('%C');
      const t = inProcessIO(dir);
      const plan = planConnect(['-F', conf, '-L', `${await freePort()}:127.0.0.1:1`, alias], t);
      expect(plan.host.identityFiles[0]).toBe(bySsh);
    }
    const imp = await runInProcess(dir, ['import', 'ssh-config', conf]);
    expect(imp.code, imp.err).toBe(0);
    const ls = JSON.parse((await runInProcess(dir, ['ls', '--json'])).out);
    const r = await promisify(execFile)('ssh', ['-v', '-F', conf, '-o', 'BatchMode=yes', 'tok', 'true'], { timeout: 30_000 }).catch((e) => e);
    expect(ls.hosts[0].auth.keyPath).toBe(/debug1: identity file (\S+) type/.exec(r.stderr)![1]);
  });

  it("a saved host's -i ~/.ssh/id_%r is expanded when it connects (burrow up), and burrow connect -i with %r is not refused", async () => {
    const dir = profiles();
    copyFileSync(sshd.userKey, join(dir, `id_${sshd.user}`));
    const burrow = (...argv: string[]) => runInProcess(dir, argv);
    const add = await burrow(
      'add',
      'host',
      'lab',
      `${sshd.user}@127.0.0.1:${sshd.port}`,
      '-i',
      `${dir}/id_%r`,
      '--known-hosts',
      sshd.knownHosts,
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      'IdentitiesOnly=yes',
      '--json',
    );
    expect(add.code, add.err).toBe(0);
    // Saved as written, as ssh_config keeps it: the tokens follow the host's user and address.
    expect(JSON.parse(add.out).auth.keyPath).toBe(`${dir}/id_%r`);
    const port = await freePort();
    expect((await burrow('add', 'forward', 'echo', '-L', `${port}:127.0.0.1:${echo.port}`, '--via', 'lab')).code).toBe(0);
    const up = inProcessIO(dir);
    const exit = main(['up', 'echo', '--json'], up);
    await eventually(
      () => up.out().includes('"event":"listening"') || up.out().includes('"event":"error"'),
      () => up.out(),
    );
    expect(up.out()).not.toContain('"event":"error"');
    expect((await roundTrip(port, Buffer.from('token key'))).toString()).toBe('token key');
    up.stop();
    expect(await exit).toBe(0);

    const c = inProcessIO(dir);
    const run = main(
      [
        'connect',
        '--json',
        '-i',
        `${dir}/id_%r`,
        '-o',
        'IdentitiesOnly=yes',
        '-o',
        `UserKnownHostsFile=${sshd.knownHosts}`,
        '-p',
        String(sshd.port),
        '-L',
        `${port}:127.0.0.1:${echo.port}`,
        `${sshd.user}@127.0.0.1`,
      ],
      c,
    );
    await eventually(
      () => c.out().includes('"event":"listening"') || c.out().includes('"event":"error"'),
      () => c.out(),
    );
    expect(c.out()).toContain('"event":"listening"');
    c.stop();
    expect(await run).toBe(0);
  });
});

describe('burrow edit host --hostname', () => {
  it('changes the address (then up connects there); a bad one is refused with what to give', async () => {
    const dir = profiles();
    const burrow = (...argv: string[]) => runInProcess(dir, argv);
    expect((await burrow(...addHost('lab', sshd, '192.0.2.1'))).code).toBe(0);
    const edited = await burrow('edit', 'host', 'lab', '--hostname', '127.0.0.1', '--json');
    expect(edited.code, edited.err).toBe(0);
    expect(JSON.parse(edited.out)).toMatchObject({ name: 'lab', hostname: '127.0.0.1', port: sshd.port, user: sshd.user });
    const port = await freePort();
    expect((await burrow('add', 'forward', 'echo', '-L', `${port}:127.0.0.1:${echo.port}`, '--via', 'lab')).code).toBe(0);
    const up = inProcessIO(dir);
    const exit = main(['up', 'echo', '--json'], up);
    await eventually(
      () => up.out().includes('"event":"listening"') || up.out().includes('"event":"error"'),
      () => up.out(),
    );
    expect((await roundTrip(port, Buffer.from('moved'))).toString()).toBe('moved');
    up.stop();
    expect(await exit).toBe(0);

    const six = await burrow('edit', 'host', 'lab', '--hostname', '[::1]', '--json');
    expect(JSON.parse(six.out).hostname).toBe('::1');
    const bad = await burrow('edit', 'host', 'lab', '--hostname', 'two words');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^burrow: error: .*Host name \(address\)/);
    const wrong = await burrow('edit', 'forward', 'echo', '--hostname', '127.0.0.1');
    expect(wrong.code).toBe(2);
    expect(wrong.err).toContain("--hostname changes a host's address: burrow edit host NAME --hostname ADDR.");
  });
});

describe('what the command says (issue 13 item 12)', () => {
  const login = () => [
    '-i',
    sshd.userKey,
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'IdentityAgent=none',
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    '-F',
    '/dev/null',
    '-p',
    String(sshd.port),
  ];
  const listenOn = (port: number, host: string) =>
    new Promise<net.Server>((resolve, reject) => {
      const srv = net.createServer().once('error', reject);
      srv.listen(port, host, () => resolve(srv));
    });

  it('a validation message names its entry once', async () => {
    const dir = profiles();
    expect((await runInProcess(dir, ['add', 'host', 'h', '127.0.0.1'])).code).toBe(0);
    const r = await runInProcess(dir, ['add', 'forward', 'f1', '-L', '1100:x:110', '--via', 'nope']);
    expect(r.code).toBe(2);
    expect(r.err).toBe("burrow: error: Forward 'f1' goes through host 'nope', which does not exist; add that host first or pick another.\n");
  });

  it('burrow up: a busy port is said once, with burrow edit as the fix; --json ends with a stopped event', async () => {
    const dir = profiles();
    const burrow = (...argv: string[]) => runInProcess(dir, argv);
    expect((await burrow(...addHost('lab', sshd))).code).toBe(0);
    const busy = await listenOn(0, '127.0.0.1');
    const port = (busy.address() as net.AddressInfo).port;
    expect((await burrow('add', 'forward', 'socks', '-D', String(port), '--via', 'lab')).code).toBe(0);
    const text = await burrow('up', 'socks');
    expect(text.code).toBe(1);
    expect(text.err).toBe(
      'burrow: socks: connecting\n' +
        `burrow: socks: error: Local port ${port} is already in use by node (pid ${process.pid}): cannot listen on 127.0.0.1:${port}. Choose another port, or stop the program using it. For example: burrow edit forward socks -D 127.0.0.1:${port + 1}\n` +
        'burrow: socks: failed (see the error above)\n' +
        'burrow: nothing could be started; exiting\n',
    );
    const json = await burrow('up', 'socks', '--json');
    const events = json.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events.filter((e) => e.event === 'error')).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ event: 'stopped', reason: 'nothing-started' });
    busy.close();
  });

  it('::1 is written [::1]:port, in a busy listener and in the SSH host', async () => {
    const busy = await listenOn(0, '::1');
    const port = (busy.address() as net.AddressInfo).port;
    const t = inProcessIO(profiles());
    expect(await main(['connect', ...login(), '-L', `[::1]:${port}:127.0.0.1:1`, `${sshd.user}@127.0.0.1`], t)).toBe(1);
    expect(t.err()).toContain(`cannot listen on [::1]:${port}.`);
    busy.close();
    const closed = await freePort('::1');
    const t6 = inProcessIO(profiles());
    expect(await main(['connect', '-F', '/dev/null', '-p', String(closed), '-L', `${await freePort()}:127.0.0.1:1`, `${sshd.user}@::1`], t6)).toBe(1);
    expect(t6.err()).toContain(`burrow: L1: error: Could not connect to ${sshd.user}@[::1]:${closed}: connection refused.`);
  });

  it("the host key question: 'y' alone is asked again and saves nothing (as ssh); without a terminal the advice is not '-o StrictHostKeyChecking=ask' again", async () => {
    const dir = profiles();
    const kh = join(dir, 'known_hosts');
    writeFileSync(kh, '');
    const QUESTION = /refuse \(no\)\? $/;
    const AGAIN = /refuse \(no\)\? [\s\S]*refuse \(no\)\? $/;
    const term = fakeTerminal([
      [QUESTION, 'y'],
      [AGAIN, 'no'],
    ]);
    const args = [
      '-L',
      `${await freePort()}:127.0.0.1:${echo.port}`,
      ...login(),
      '-o',
      `UserKnownHostsFile=${kh}`,
      '-o',
      'StrictHostKeyChecking=ask',
      `${sshd.user}@127.0.0.1`,
    ];
    expect(await connect(args, term.io)).toBe(1);
    expect(term.stderr().split('refuse (no)?')).toHaveLength(3);
    expect(readFileSync(kh, 'utf8')).toBe('');

    const t = inProcessIO(dir);
    expect(await main(['connect', ...args], t)).toBe(1);
    expect(t.err()).toMatch(
      /is not known \(ssh-ed25519 key SHA256:\S+\), and no one can be asked to trust it \(not on a terminal\)\. Verify the fingerprint with the server's administrator, then connect once where you can answer the question/,
    );
    expect(t.err()).not.toContain('StrictHostKeyChecking=ask');
  });

  it('burrow ls: a reconnect attempt under way is said so, not "next try in 0 s"', () => {
    const status = { pid: 42, kind: 'cli' as const, forwards: {} } as Parameters<typeof describeRuntime>[0];
    const now = Date.now();
    expect(describeRuntime(status, { state: 'reconnecting', attempt: 2, nextAttemptAt: now - 3000 } as never, now)).toBe(
      'running in burrow up (pid 42): reconnecting (attempt 2 under way)',
    );
    expect(describeRuntime(status, { state: 'reconnecting', attempt: 2 } as never, now)).toBe(
      'running in burrow up (pid 42): reconnecting (attempt 2 under way)',
    );
    expect(describeRuntime(status, { state: 'reconnecting', attempt: 3, nextAttemptAt: now + 8000 } as never, now)).toBe(
      'running in burrow up (pid 42): reconnecting (attempt 3, next try in 8 s)',
    );
  });
});

describe('exposed listeners are said out loud (issue 11 item 4)', () => {
  const EXPOSED =
    /^Anyone on your network can use this port \(it listens on every address \((\*|0\.0\.0\.0)\), not only on this computer\)\. Use 127\.0\.0\.1 unless that is what you want\.$/;
  const OPEN =
    /^Open proxy: anyone on your network can use this SOCKS proxy \(it listens on every address \(0\.0\.0\.0\)\) without a login, and reach whatever the SSH server can reach, as you\./;
  /** The warnings planConnect gives (nothing is bound: these would listen beyond loopback). */
  function warnings(argv: string[]): Array<{ forward: string; code: string; message: string }> {
    const t = inProcessIO(profiles());
    planConnect(['--json', ...argv, '-F', '/dev/null', `${sshd.user}@127.0.0.1`], t);
    return t
      .out()
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .filter((e) => e.event === 'log' && e.level === 'warn');
  }

  it('connect: -g, -L *:..., -L 0.0.0.0:... warn; -D 0.0.0.0 without a login warns louder; loopback binds do not', () => {
    const w = warnings([
      '-g',
      '-L',
      '1100:h:1',
      '-L',
      '*:1101:h:1',
      '-L',
      '0.0.0.0:1102:h:1',
      '-D',
      '0.0.0.0:1103',
      '-L',
      '127.0.0.1:1104:h:1',
      '-L',
      'localhost:1105:h:1',
      '-L',
      '[::1]:1106:h:1',
      '-R',
      '0:h:1',
    ]);
    expect(w.map((e) => `${e.forward} ${e.code}`)).toEqual(['L1 EXPOSED', 'L2 EXPOSED', 'L3 EXPOSED', 'D1 OPEN_PROXY']);
    for (const e of w.slice(0, 3)) expect(e.message).toMatch(EXPOSED);
    expect(w[3].message).toMatch(OPEN);
    // With a SOCKS login it is an exposed port, not an open proxy; -R on an address other than loopback is said too.
    const login = warnings(['-D', '0.0.0.0:1103', '--socks-user', 'alice', '-R', '0.0.0.0:0:h:1']);
    expect(login.map((e) => `${e.forward} ${e.code}`)).toEqual(['D1 EXPOSED', 'R1 EXPOSED']);
    expect(login[1].message).toContain('Anyone who can reach the SSH server can use this port (it listens on every address (0.0.0.0) there');
    expect(warnings(['-L', '1100:h:1', '-D', '1103'])).toEqual([]);
  });

  it('connect and up print it for people too, before anything listens (a bind address this machine lacks: nothing is exposed)', async () => {
    const port = await freePort();
    const t = inProcessIO(profiles());
    expect(
      await main(
        [
          'connect',
          ...['-i', sshd.userKey, '-o', `UserKnownHostsFile=${sshd.knownHosts}`, '-p', String(sshd.port), '-F', '/dev/null'],
          '-D',
          `192.0.2.1:${port}`,
          `${sshd.user}@127.0.0.1`,
        ],
        t,
      ),
    ).toBe(1);
    expect(t.err().split('\n')[0]).toBe(
      'burrow: D1: warning: Open proxy: anyone on your network can use this SOCKS proxy (it listens on 192.0.2.1) without a login, and reach whatever the SSH server can reach, as you. Bind it to 127.0.0.1, or require a SOCKS login.',
    );

    const dir = profiles();
    const burrow = (...argv: string[]) => runInProcess(dir, argv);
    expect((await burrow('add', 'host', 'lab', `${sshd.user}@127.0.0.1:${sshd.port}`, '-i', sshd.userKey, '--known-hosts', sshd.knownHosts)).code).toBe(0);
    const add = await burrow('add', 'forward', 'wide', '-L', `192.0.2.1:${port}:127.0.0.1:${echo.port}`, '--via', 'lab');
    expect(add.code).toBe(0);
    expect(add.err).toBe(
      'burrow: wide: warning: Anyone on your network can use this port (it listens on 192.0.2.1, not only on this computer). Use 127.0.0.1 unless that is what you want.\n',
    );
    const up = await burrow('up', 'wide');
    expect(up.err.split('\n')[0]).toBe(
      'burrow: wide: warning: Anyone on your network can use this port (it listens on 192.0.2.1, not only on this computer). Use 127.0.0.1 unless that is what you want.',
    );
  });

  it('add and edit forward: -L 0.0.0.0 warns, -D 0.0.0.0 warns louder until it has a login; a loopback bind says nothing', async () => {
    const dir = profiles();
    const burrow = (...argv: string[]) => runInProcess(dir, argv);
    expect((await burrow('add', 'host', 'lab', '127.0.0.1')).code).toBe(0);
    const quiet = await burrow('add', 'forward', 'f', '-L', '1100:h:1', '--via', 'lab');
    expect(quiet.err).toBe('');
    const wide = await burrow('edit', 'forward', 'f', '-L', '0.0.0.0:1100:h:1', '--json');
    expect(wide.code).toBe(0);
    expect(wide.err).toMatch(/^burrow: f: warning: Anyone on your network can use this port/);
    const open = await burrow('edit', 'forward', 'f', '-D', '0.0.0.0:1080');
    expect(open.err).toMatch(/^burrow: f: warning: Open proxy: /);
    const login = await burrow('edit', 'forward', 'f', '--socks-user', 'alice');
    expect(login.err).toMatch(/^burrow: f: warning: Anyone on your network can use this port/);
    const back = await burrow('edit', 'forward', 'f', '-D', '1080');
    expect(back.err).not.toContain('warning');
  });
});
