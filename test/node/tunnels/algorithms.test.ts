// Ciphers / KexAlgorithms / HostKeyAlgorithms / MACs as OpenSSH reads them (a
// list, +append, -remove, ^prepend), resolved against ssh2's lists before they
// reach ssh2, from -o and from the ssh config; then against a real sshd.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALGORITHMS, resolveAlgorithms } from '../../../electron/tunnels/algorithms';
import { parseOption, resolveHost } from '../../../electron/sshconfig/host-options';
import { loadSshConfig } from '../../../electron/sshconfig/ssh-config';
import { cleanup, freePort, startSshd, type Sshd } from '../../support/sshd';
import { echoServer, roundTrip, type TestServer } from '../../support/tcp';
import { burrow, burrowDone } from '../../support/cli';

const ciphers = ALGORITHMS.cipher.defaults;

describe('resolving algorithm lists', () => {
  it('appends (+), removes (-) and prepends (^) against ssh2 defaults, as OpenSSH does', () => {
    expect(resolveAlgorithms('cipher', '+aes128-cbc')).toEqual({ form: '+', list: [...ciphers, 'aes128-cbc'] });
    // Appending a default changes nothing (the audit's example).
    expect(resolveAlgorithms('cipher', '+aes128-ctr').list).toEqual([...ciphers]);
    expect(resolveAlgorithms('cipher', '-aes128-gcm@openssh.com,chacha20*').list).toEqual(
      ciphers.filter((c) => c !== 'aes128-gcm@openssh.com' && !c.startsWith('chacha20')),
    );
    expect(resolveAlgorithms('cipher', '^aes256-ctr').list).toEqual(['aes256-ctr', ...ciphers.filter((c) => c !== 'aes256-ctr')]);
    expect(resolveAlgorithms('cipher', 'aes256-ctr,aes128-ctr')).toEqual({ form: 'list', list: ['aes256-ctr', 'aes128-ctr'] });
    expect(resolveAlgorithms('cipher', 'aes*-ctr').list).toEqual(['aes128-ctr', 'aes192-ctr', 'aes256-ctr']);
    expect(resolveAlgorithms('kex', '-diffie-hellman-group*').list.every((k) => !k.startsWith('diffie-hellman-group'))).toBe(true);
    expect(resolveAlgorithms('mac', '^hmac-sha2-512').list[0]).toBe('hmac-sha2-512');
    expect(resolveAlgorithms('hostKey', '+ssh-dss').list).toContain('ssh-dss');
  });

  it('rejects names ssh2 does not implement, listing the ones it does', () => {
    expect(() => resolveAlgorithms('cipher', '+aes128-foo')).toThrow(
      `Unsupported Ciphers name 'aes128-foo' in '+aes128-foo'. Burrow (ssh2) supports: ${ALGORITHMS.cipher.supported.join(', ')}.`,
    );
    expect(() => parseOption('KexAlgorithms=sntrup761x25519-sha512@openssh.com')).toThrow(
      /Unsupported KexAlgorithms name 'sntrup761x25519-sha512@openssh.com'.*supports: curve25519-sha256@libssh.org/,
    );
    expect(() => parseOption('MACs=^umac-64@openssh.com')).toThrow(/Unsupported MACs name 'umac-64@openssh.com'/);
    expect(() => parseOption('HostKeyAlgorithms=+ssh-ed448')).toThrow(/Unsupported HostKeyAlgorithms name 'ssh-ed448'/);
    expect(() => resolveAlgorithms('cipher', `-${ciphers.join(',')}`)).toThrow(/leaves no algorithm to offer/);
    expect(() => resolveAlgorithms('cipher', 'aes128-ctr,,aes256-ctr')).toThrow(/an empty name/);
  });

  it('resolves -o values and ssh config values into plain lists; a bad config value names the host', () => {
    const cli = resolveHost({
      destination: 'db',
      options: [parseOption('Ciphers=+aes128-cbc'), parseOption('MACs=-hmac-sha1*'), parseOption('HostKeyAlgorithms=-ssh-rsa')],
    }).host;
    expect(cli.ciphers).toEqual([...ciphers, 'aes128-cbc']);
    expect(cli.macs).toEqual(ALGORITHMS.mac.defaults.filter((m) => !m.startsWith('hmac-sha1')));
    expect(cli).toMatchObject({ hostKeyAlgorithms: ALGORITHMS.hostKey.defaults.filter((a) => a !== 'ssh-rsa'), hostKeyAlgorithmsAsGiven: false });
    expect(resolveHost({ destination: 'db', options: [parseOption('HostKeyAlgorithms=ecdsa-sha2-nistp256')] }).host.hostKeyAlgorithmsAsGiven).toBe(true);

    const dir = mkdtempSync(join(tmpdir(), 'burrow-algos-'));
    const cfg = join(dir, 'config');
    writeFileSync(cfg, 'Host good\n  Ciphers ^aes256-ctr\n  KexAlgorithms +diffie-hellman-group14-sha1\nHost bad\n  Ciphers +blowfish-cbc\n');
    const { config } = loadSshConfig(cfg);
    const good = resolveHost({ destination: 'good', options: [], config }).host;
    expect(good.ciphers?.[0]).toBe('aes256-ctr');
    expect(good.kexAlgorithms).toEqual([...ALGORITHMS.kex.defaults, 'diffie-hellman-group14-sha1']);
    // The command line wins over the config, as in ssh.
    expect(resolveHost({ destination: 'good', options: [parseOption('Ciphers=aes128-ctr')], config }).host.ciphers).toEqual(['aes128-ctr']);
    expect(() => resolveHost({ destination: 'bad', options: [], config })).toThrow(/^In the ssh config for bad: Unsupported Ciphers name 'blowfish-cbc'/);
  });
});

describe('algorithm options against OpenSSH sshd', () => {
  let sshd: Sshd;
  let echo: TestServer;
  beforeAll(async () => {
    // DEBUG1 makes sshd log what was negotiated ("kex: client->server cipher: ...").
    sshd = await startSshd({ config: ['LogLevel DEBUG1'] });
    echo = await echoServer();
  });
  afterAll(async () => {
    await echo.close();
    await cleanup(sshd);
  });

  const base = () => [
    '--json',
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

  /** Runs a forward with these extra flags, checks it carries traffic, and returns sshd's log lines for that connection. */
  async function negotiated(extra: string[]): Promise<string> {
    const before = sshd.log().length;
    const port = await freePort();
    const run = burrow(['connect', ...base(), '-L', `${port}:127.0.0.1:${echo.port}`, ...extra, `${sshd.user}@127.0.0.1`]);
    await run.waitFor((e) => e.event === 'listening');
    expect((await roundTrip(port, Buffer.from('algorithms'))).toString()).toBe('algorithms');
    run.proc.kill('SIGINT');
    expect(await run.exited).toBe(0);
    return sshd.log().slice(before);
  }

  it('-o Ciphers=+aes128-ctr connects (it used to reach ssh2 unchanged and fail)', async () => {
    expect(await negotiated(['-o', 'Ciphers=+aes128-ctr'])).toMatch(/kex: client->server cipher: aes128-gcm@openssh.com/);
  });

  it('-o Ciphers=^aes256-ctr puts aes256-ctr first; MACs and KexAlgorithms forms work too', async () => {
    const log = await negotiated(['-o', 'Ciphers=^aes256-ctr', '-o', 'MACs=^hmac-sha2-512', '-o', 'KexAlgorithms=-curve25519*']);
    expect(log).toMatch(/kex: client->server cipher: aes256-ctr MAC: hmac-sha2-512 /);
    expect(log).toMatch(/kex: algorithm: ecdh-sha2-nistp256/);
  });

  it('-o Ciphers=-... removes from the default list', async () => {
    expect(await negotiated(['-o', 'Ciphers=-aes128-gcm@openssh.com,aes256-gcm@openssh.com'])).toMatch(/kex: client->server cipher: aes128-ctr/);
  });

  it('a saved host keeps its algorithm lists: burrow up negotiates them, export writes them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'burrow-algos-saved-'));
    const env = { BURROW_CONFIG_DIR: dir };
    const port = await freePort();
    const add = await burrowDone(
      [
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
        '-o',
        'Ciphers=aes256-ctr',
        '-o',
        'MACs=hmac-sha2-512',
        '-o',
        'KexAlgorithms=-curve25519*',
        '-o',
        'HostKeyAlgorithms=ssh-ed25519',
        '--json',
      ],
      { env },
    );
    expect(add.code, add.stderr).toBe(0);
    expect(JSON.parse(add.stdout).algorithms).toMatchObject({ ciphers: ['aes256-ctr'], mac: ['hmac-sha2-512'], hostKey: ['ssh-ed25519'] });
    // Editing one list keeps the others.
    expect((await burrowDone(['edit', 'host', 'lab', '-o', 'Ciphers=aes128-ctr'], { env })).code).toBe(0);
    expect((await burrowDone(['add', 'forward', 'algo', '-L', `${port}:127.0.0.1:${echo.port}`, '--via', 'lab'], { env })).code).toBe(0);

    const before = sshd.log().length;
    const up = burrow(['up', 'algo', '--json'], { env });
    try {
      await up.waitFor((e) => e.event === 'listening', 30_000);
      expect((await roundTrip(port, Buffer.from('saved algorithms'))).toString()).toBe('saved algorithms');
    } finally {
      up.proc.kill('SIGINT');
      await up.exited;
    }
    const log = sshd.log().slice(before);
    expect(log).toMatch(/kex: client->server cipher: aes128-ctr MAC: hmac-sha2-512 /);
    expect(log).toMatch(/kex: algorithm: ecdh-sha2-nistp256/);

    const exported = await burrowDone(['export', '--format', 'ssh-config'], { env });
    expect(exported.stdout).toContain('Ciphers aes128-ctr');
    expect(exported.stdout).toContain('MACs hmac-sha2-512');
    expect(exported.stdout).toContain('HostKeyAlgorithms ssh-ed25519');
    expect(exported.stdout).toMatch(/KexAlgorithms ecdh-sha2-nistp256/);
  }, 60_000);

  it('an unknown cipher is bad input (exit 2) and the message lists the supported ones', async () => {
    const r = await burrowDone(['connect', '-L', '1100:h:110', '-o', 'Ciphers=+arcfour', '-F', '/dev/null', 'h']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`Unsupported Ciphers name 'arcfour' in '+arcfour'. Burrow (ssh2) supports: ${ALGORITHMS.cipher.supported.join(', ')}.`);
  });
});
