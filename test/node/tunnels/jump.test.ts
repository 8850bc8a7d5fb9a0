// Jump hosts (-J / ProxyJump) through two real OpenSSH sshd instances: each hop
// checks its own host key, the chain carries traffic, and a hop going away takes
// the chain down and brings it back. Also `burrow connect -D ... -J ...`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TunnelEngine } from '../../../electron/tunnels/engine';
import { resolveHost } from '../../../electron/sshconfig/host-options';
import type { HostConfig } from '../../../electron/tunnels/types';
import { BurrowError } from '../../../shared/errors';
import type { ForwardSpec } from '../../../shared/forward-spec';
import { cleanup, freePort, keygen, startSshd, type Sshd } from '../../support/sshd';
import { hostFor } from '../../support/hosts';
import { waitState, boundPort } from '../../support/engine-state';
import { echoServer, type TestServer } from '../../support/tcp';
import { exchange, socks5 } from '../../support/socks-client';
import { burrow } from '../../support/cli';
import { boundOf } from '../../../shared/tunnel-state';

let bastion: Sshd;
let target: Sshd;
let closedBastion: Sshd; // AllowTcpForwarding no: cannot be a jump host
let echo: TestServer;
let dir: string;
/** known_hosts trusting both servers: line 1 the bastion, line 2 the target. */
let knownHosts: string;
/** The same, with a different key for the bastion on line 1. */
let bastionChanged: string;
/** The same, with a different key for the target on line 2. */
let targetChanged: string;
const engines: TunnelEngine[] = [];

const SOCKS: ForwardSpec = { kind: 'dynamic', listen: { host: '127.0.0.1', port: 0 } };

function hop(s: Sshd, kh = knownHosts, over: Partial<HostConfig> = {}): HostConfig {
  // As resolveHost does for -J: identity and known_hosts apply to every hop.
  return hostFor(s, { identityFiles: [bastion.userKey, target.userKey, closedBastion.userKey], knownHostsFiles: [kh], ...over });
}

function engine() {
  const e = new TunnelEngine({ channelTimeoutMs: 5000, reconnect: { baseDelayMs: 100, maxDelayMs: 400 } });
  engines.push(e);
  return e;
}

async function echoThrough(socksPort: number, text: string) {
  const r = await socks5(socksPort, { ipv4: '127.0.0.1' }, echo.port);
  expect(r.status).toBe(0);
  return (await exchange(r.sock, Buffer.from(text))).toString();
}

beforeAll(async () => {
  echo = await echoServer();
  [bastion, target, closedBastion] = await Promise.all([startSshd(), startSshd(), startSshd({ config: ['AllowTcpForwarding no'] })]);
  dir = mkdtempSync(join(tmpdir(), 'burrow-jump-'));
  const line = (s: Sshd) => readFileSync(s.knownHosts, 'utf8').trim();
  const otherKey = readFileSync(`${keygen(join(dir, 'impostor'))}.pub`, 'utf8')
    .split(' ')
    .slice(0, 2)
    .join(' ');
  knownHosts = join(dir, 'known_hosts');
  writeFileSync(knownHosts, `${line(bastion)}\n${line(target)}\n${line(closedBastion)}\n`);
  bastionChanged = join(dir, 'known_hosts.bastion-changed');
  writeFileSync(bastionChanged, `[127.0.0.1]:${bastion.port} ${otherKey}\n${line(target)}\n`);
  targetChanged = join(dir, 'known_hosts.target-changed');
  writeFileSync(targetChanged, `${line(bastion)}\n[127.0.0.1]:${target.port} ${otherKey}\n`);
});

afterAll(async () => {
  await Promise.all(engines.map((e) => e.shutdown()));
  await echo.close();
  await Promise.all([cleanup(bastion), cleanup(target), cleanup(closedBastion)]);
});

describe('-J: a chain of real sshd hops', () => {
  it('carries a SOCKS forward through bastion -> target', async () => {
    const e = engine();
    e.add('d', hop(target, knownHosts, { jump: [hop(bastion)] }), SOCKS);
    const port = boundPort(await e.start('d'));
    expect(await echoThrough(port, 'two hops')).toBe('two hops');
  });

  it('handles longer chains (bastion -> bastion -> target)', async () => {
    const e = engine();
    e.add('d', hop(target, knownHosts, { jump: [hop(bastion), hop(bastion)] }), SOCKS);
    const port = boundPort(await e.start('d'));
    expect(await echoThrough(port, 'three hops')).toBe('three hops');
  });

  it('refuses a changed host key on the bastion, naming the file and line, before reaching the target', async () => {
    const e = engine();
    const before = target.log();
    e.add('d', hop(target, bastionChanged, { jump: [hop(bastion, bastionChanged)] }), SOCKS);
    const err = (await e.start('d').catch((x) => x)) as BurrowError;
    expect(err).toBeInstanceOf(BurrowError);
    expect(err.code).toBe('HOSTKEY_CHANGED');
    expect(err.message).toMatch(new RegExp(`^Jump host .*\\(${bastion.user}@127\\.0\\.0\\.1:${bastion.port}\\): WARNING`));
    expect(err.message).toContain(`host key of [127.0.0.1]:${bastion.port} has changed`);
    expect(err.message).toContain('This could be an attack');
    expect(err.message).toContain(`The old key is in ${bastionChanged} line 1`);
    expect(e.get('d').state).toMatchObject({ state: 'failed', reason: { code: 'HOSTKEY_CHANGED' } });
    expect(target.log().slice(before.length)).not.toContain('Connection from');
  });

  it('refuses a changed host key on the final host behind the bastion', async () => {
    const e = engine();
    e.add('d', hop(target, targetChanged, { jump: [hop(bastion, targetChanged)] }), SOCKS);
    const err = (await e.start('d').catch((x) => x)) as BurrowError;
    expect(err.code).toBe('HOSTKEY_CHANGED');
    expect(err.message).not.toContain('Jump host');
    expect(err.message).toContain(`The old key is in ${targetChanged} line 2`);
  });

  it('says which hop refused to forward when a jump host has AllowTcpForwarding no', async () => {
    const e = engine();
    e.add('d', hop(target, knownHosts, { jump: [hop(closedBastion)] }), SOCKS);
    const err = (await e.start('d').catch((x) => x)) as BurrowError;
    expect(err.code).toBe('DEST_PROHIBITED');
    expect(err.message).toContain(
      `(${closedBastion.user}@127.0.0.1:${closedBastion.port}) refused to forward to 127.0.0.1:${target.port}: administratively prohibited`,
    );
  });

  it('goes down with the bastion, keeps its port, and comes back when the bastion does', async () => {
    const e = engine();
    e.add('d', hop(target, knownHosts, { jump: [hop(bastion)] }), SOCKS);
    const port = boundPort(await e.start('d'));
    expect(await echoThrough(port, 'before')).toBe('before');
    await bastion.stop();
    await waitState(e, 'd', (s) => s.state === 'reconnecting');
    expect(boundOf(e.get('d').state)).toEqual({ host: '127.0.0.1', port });
    await bastion.restart();
    await waitState(e, 'd', (s) => s.state === 'active');
    expect(await echoThrough(port, 'after')).toBe('after');
  });
});

describe('-J option resolution', () => {
  it('applies identity, known_hosts and other -o options to every hop, but -p and -l only to the destination', () => {
    const { host } = resolveHost({
      destination: 'me@target.example',
      options: [
        ['identityfile', '/keys/id'],
        ['userknownhostsfile', '/kh/known'],
        ['stricthostkeychecking', 'yes'],
        ['serveraliveinterval', '5'],
        ['port', '2222'],
        ['proxyjump', 'ops@jump1.example:2200,jump2.example'],
      ],
    });
    expect(host).toMatchObject({ hostname: 'target.example', port: 2222, user: 'me' });
    expect(host.jump.map((h) => [h.user, h.hostname, h.port])).toEqual([
      ['ops', 'jump1.example', 2200],
      [host.jump[1].user, 'jump2.example', 22],
    ]);
    for (const h of [host, ...host.jump]) {
      expect(h.identityFiles).toEqual(['/keys/id']);
      expect(h.knownHostsFiles).toEqual(['/kh/known']);
      expect(h.strictHostKeyChecking).toBe('yes');
      expect(h.serverAliveInterval).toBe(5);
    }
  });
});

describe('burrow connect -D ... -J ...', () => {
  const args = (kh: string, socksPort: number) => [
    'connect',
    '--json',
    '-D',
    String(socksPort),
    '-J',
    `${bastion.user}@127.0.0.1:${bastion.port}`,
    '-i',
    bastion.userKey,
    '-i',
    target.userKey,
    '-o',
    `UserKnownHostsFile=${kh}`,
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'BatchMode=yes',
    '-F',
    '/dev/null',
    '-p',
    String(target.port),
    `${target.user}@127.0.0.1`,
  ];
  const env = { SSH_AUTH_SOCK: '' };

  it('runs a SOCKS proxy through the chain and exits 0 on SIGTERM', async () => {
    const socksPort = await freePort();
    const run = burrow(args(knownHosts, socksPort), { env });
    expect(await run.waitFor((ev) => ev.event === 'listening')).toMatchObject({ forward: 'D1', bind: '127.0.0.1', port: socksPort });
    expect(await echoThrough(socksPort, 'via the CLI')).toBe('via the CLI');
    run.proc.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });

  it('exits 1 with HOSTKEY_CHANGED when the bastion key changed', async () => {
    const run = burrow(args(bastionChanged, await freePort()), { env });
    run.proc.stdin?.end();
    const ev = await run.waitFor((x) => x.event === 'error');
    expect(ev.code).toBe('HOSTKEY_CHANGED');
    expect(ev.message).toContain(`${bastionChanged} line 1`);
    expect(await run.exited).toBe(1);
  });
});
