// Local forwards (-L) through a real OpenSSH sshd: integrity, half-close,
// concurrency, stats, and every refusal with its message.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { writeFileSync, readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { TunnelEngine } from '../../../electron/tunnels/engine';
import { parseForwardSpec, type ForwardSpec } from '../../../shared/forward-spec';
import { BurrowError } from '../../../shared/errors';
import { cleanup, freePort, keygen, startSshd, type Sshd } from '../../support/sshd';
import { hostFor } from '../../support/hosts';
import { echoServer, roundTrip, serve, sha256, type TestServer } from '../../support/tcp';
import type { ForwardState } from '../../../electron/tunnels/types';
import { boundPort } from '../../support/engine-state';
import { boundOf, destinationFailing } from '../../../shared/tunnel-state';

let sshd: Sshd;
let echo: TestServer;
const engines: TunnelEngine[] = [];

function engine(opts: ConstructorParameters<typeof TunnelEngine>[0] = {}) {
  const e = new TunnelEngine(opts);
  engines.push(e);
  return e;
}

/** Parses a -L spec; a leading "0:" asks the OS for a free port (the CLI itself requires 1-65535). */
function local(spec: string): ForwardSpec {
  const any = spec.startsWith('0:');
  const parsed = parseForwardSpec('local', any ? `1${spec.slice(1)}` : spec);
  return any ? { ...parsed, listen: { host: '127.0.0.1', port: 0 } } : parsed;
}

async function startLocal(e: TunnelEngine, id: string, spec: string, host = hostFor(sshd)) {
  e.add(id, host, local(spec));
  const info = await e.start(id);
  return boundPort(info);
}

beforeAll(async () => {
  sshd = await startSshd();
  echo = await echoServer();
});

afterAll(async () => {
  await Promise.all(engines.map((e) => e.shutdown()));
  await echo.close();
  await cleanup(sshd);
});

describe('local forward through OpenSSH', () => {
  it('carries a few MiB each way intact, and counts bytes and connections', async () => {
    const e = engine();
    const port = await startLocal(e, 'echo', `0:127.0.0.1:${echo.port}`);
    const data = randomBytes(6 * 1024 * 1024);
    const back = await roundTrip(port, data);
    expect(back.length).toBe(data.length);
    expect(sha256(back)).toBe(sha256(data));
    const stats = e.stats().echo;
    expect(stats.totalConnections).toBe(1);
    expect(stats.bytesOut).toBe(data.length);
    expect(stats.bytesIn).toBe(data.length);
    expect(e.get('echo').state.state).toBe('active');
  });

  it('keeps the reply that comes after the client half-closes', async () => {
    const late = await serve((s) => {
      let n = 0;
      s.on('data', (d) => (n += d.length));
      // Answer only once the client has finished sending.
      s.on('end', () => setTimeout(() => s.end(`got ${n} bytes`), 50));
    });
    const e = engine();
    const port = await startLocal(e, 'half', `0:127.0.0.1:${late.port}`);
    const reply = await roundTrip(port, Buffer.alloc(100_000, 7));
    expect(reply.toString()).toBe('got 100000 bytes');
    await late.close();
  });

  it('serves 200 concurrent connections through one forward', async () => {
    const e = engine();
    const port = await startLocal(e, 'many', `0:127.0.0.1:${echo.port}`);
    const results = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const data = randomBytes(16 * 1024 + i);
        const back = await roundTrip(port, data);
        return sha256(back) === sha256(data);
      }),
    );
    expect(results.filter(Boolean).length).toBe(200);
    expect(e.stats().many.totalConnections).toBe(200);
    await new Promise((r) => setTimeout(r, 100));
    expect(e.stats().many.openConnections).toBe(0);
  });

  it('binds 127.0.0.1 by default', async () => {
    const e = engine();
    const p = await freePort();
    const spec = parseForwardSpec('local', `${p}:127.0.0.1:${echo.port}`);
    expect(spec.listen).toEqual({ host: '127.0.0.1', port: p });
    e.add('dflt', hostFor(sshd), spec);
    const info = await e.start('dflt');
    expect(boundOf(info.state)).toMatchObject({ host: '127.0.0.1' });
  });

  it('reports a refused destination per connection and stays up', async () => {
    const e = engine();
    const closed = await freePort();
    const states: ForwardState[] = [];
    e.on('state', (_id, s) => states.push(s));
    const errors: string[] = [];
    e.on('log', (l) => l.level === 'error' && errors.push(`${l.code}: ${l.message}`));
    const port = await startLocal(e, 'refused', `0:127.0.0.1:${closed}`);
    const back = await roundTrip(port, Buffer.from('hello')).catch(() => Buffer.alloc(0));
    expect(back.length).toBe(0);
    await new Promise((r) => setTimeout(r, 50));
    expect(errors.join('\n')).toMatch(/DEST_REFUSED: .*127\.0\.0\.1:\d+ refused the connection .*"Connection refused"/);
    const now = e.get('refused').state;
    expect(now).toMatchObject({ state: 'active', destination: { status: 'failing', reason: { code: 'DEST_REFUSED' } } });
    expect(states.some(destinationFailing)).toBe(true);
    // Once the destination answers, the same forward works and the flag clears.
    const revived = await new Promise<net.Server>((r) => {
      const srv = net.createServer((s) => s.end('back')).listen(closed, '127.0.0.1', () => r(srv));
    });
    expect((await roundTrip(port, Buffer.from('hi'))).toString()).toBe('back');
    expect(e.get('refused').state).toMatchObject({ state: 'active', destination: { status: 'reachable' } });
    revived.close();
  });

  it('explains "administratively prohibited" (AllowTcpForwarding no)', async () => {
    const locked = await startSshd({ config: ['AllowTcpForwarding no'] });
    try {
      const e = engine();
      const errors: string[] = [];
      e.on('log', (l) => l.level === 'error' && errors.push(`${l.code}: ${l.message}`));
      const port = await startLocal(e, 'prohibited', `0:127.0.0.1:${echo.port}`, hostFor(locked));
      await roundTrip(port, Buffer.from('x')).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 50));
      expect(errors.join('\n')).toMatch(/DEST_PROHIBITED: .*administratively prohibited.*\/etc\/ssh\/sshd_config.*AllowTcpForwarding no.*PermitOpen/);
      expect(e.get('prohibited').state.state).toBe('active');
    } finally {
      await cleanup(locked);
    }
  });

  it('refuses a port that is already in use, naming the port and the process, and leaves nothing running', async () => {
    const holder = net.createServer().listen(0, '127.0.0.1');
    await new Promise((r) => holder.once('listening', r));
    const busy = (holder.address() as net.AddressInfo).port;
    const e = engine();
    e.add('busy', hostFor(sshd), parseForwardSpec('local', `${busy}:127.0.0.1:${echo.port}`));
    const err = await e.start('busy').catch((x: BurrowError) => x);
    expect(err).toBeInstanceOf(BurrowError);
    expect((err as BurrowError).code).toBe('PORT_IN_USE');
    expect((err as BurrowError).message).toMatch(new RegExp(`Local port ${busy} is already in use by node \\(pid ${process.pid}\\)`));
    expect(e.get('busy').state).toMatchObject({ state: 'failed', reason: { code: 'PORT_IN_USE' } });
    holder.close();
  });
});

describe('host keys', () => {
  function knownHostsWith(lines: string[]): string {
    const dir = mkdtempSync(join(tmpdir(), 'burrow-kh-'));
    const f = join(dir, 'known_hosts');
    writeFileSync(f, lines.join('\n') + '\n');
    return f;
  }

  it('accepts a hashed (|1|) known_hosts entry', async () => {
    const f = knownHostsWith([`[127.0.0.1]:${sshd.port} ${sshd.hostPublicKey}`]);
    execFileSync('ssh-keygen', ['-H', '-f', f], { stdio: 'ignore' });
    expect(readFileSync(f, 'utf8')).toMatch(/^\|1\|/);
    const e = engine();
    const port = await startLocal(e, 'hashed', `0:127.0.0.1:${echo.port}`, hostFor(sshd, { knownHostsFiles: [f] }));
    expect((await roundTrip(port, Buffer.from('ok'))).toString()).toBe('ok');
  });

  it('refuses a changed key, says it could be an attack, and names the file and line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'burrow-kh-'));
    const other = keygen(join(dir, 'other'));
    const otherPub = readFileSync(`${other}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
    const f = knownHostsWith(['# a comment', `[127.0.0.1]:${sshd.port} ${otherPub}`]);
    const e = engine();
    e.add('changed', hostFor(sshd, { knownHostsFiles: [f] }), local(`0:127.0.0.1:${echo.port}`));
    const err = (await e.start('changed').catch((x) => x)) as BurrowError;
    expect(err.code).toBe('HOSTKEY_CHANGED');
    expect(err.message).toContain('could be an attack');
    expect(err.message).toContain(`${f} line 2`);
    expect(err.message).toMatch(/SHA256:[A-Za-z0-9+/]{43}/);
  });

  it('refuses a key marked @revoked', async () => {
    const f = knownHostsWith([`@revoked * ${sshd.hostPublicKey}`, `[127.0.0.1]:${sshd.port} ${sshd.hostPublicKey}`]);
    const e = engine();
    e.add('revoked', hostFor(sshd, { knownHostsFiles: [f] }), local(`0:127.0.0.1:${echo.port}`));
    const err = (await e.start('revoked').catch((x) => x)) as BurrowError;
    expect(err.code).toBe('HOSTKEY_REVOKED');
    expect(err.message).toContain(`${f} line 1`);
  });

  it('refuses an unknown host under StrictHostKeyChecking=yes', async () => {
    const f = knownHostsWith([]);
    const e = engine();
    e.add('unknown', hostFor(sshd, { knownHostsFiles: [f], strictHostKeyChecking: 'yes' }), local(`0:127.0.0.1:${echo.port}`));
    const err = (await e.start('unknown').catch((x) => x)) as BurrowError;
    expect(err.code).toBe('HOSTKEY_UNKNOWN');
    expect(err.message).toMatch(/is not known .*StrictHostKeyChecking is yes/);
  });

  it('accept-new trusts a new host and writes its entry', async () => {
    const f = knownHostsWith([]);
    const e = engine();
    await startLocal(e, 'acceptnew', `0:127.0.0.1:${echo.port}`, hostFor(sshd, { knownHostsFiles: [f], strictHostKeyChecking: 'accept-new' }));
    expect(readFileSync(f, 'utf8')).toContain(`[127.0.0.1]:${sshd.port} ${sshd.hostPublicKey}`);
  });

  it('shares one session between forwards to the same host, but never across different host key settings', async () => {
    const e = engine();
    const before = sshd.log().split('Accepted publickey').length;
    await startLocal(e, 'share1', `0:127.0.0.1:${echo.port}`);
    await startLocal(e, 'share2', `0:127.0.0.1:${echo.port}`);
    expect(sshd.log().split('Accepted publickey').length - before).toBe(1);
    // Same server, stricter settings: it gets its own session and its own host key check.
    const empty = knownHostsWith([]);
    e.add('strict', hostFor(sshd, { knownHostsFiles: [empty] }), local(`0:127.0.0.1:${echo.port}`));
    await expect(e.start('strict')).rejects.toMatchObject({ code: 'HOSTKEY_UNKNOWN' });
  });

  it('asks the prompter under ask, and "once" does not write the file', async () => {
    const f = knownHostsWith([]);
    const asked: string[] = [];
    const e = engine({
      prompter: {
        hostKey: async (q) => {
          asked.push(q.fingerprint);
          return 'once';
        },
        secret: async () => null,
      },
    });
    await startLocal(e, 'ask', `0:127.0.0.1:${echo.port}`, hostFor(sshd, { knownHostsFiles: [f], strictHostKeyChecking: 'ask', batchMode: false }));
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatch(/^SHA256:/);
    expect(readFileSync(f, 'utf8').trim()).toBe('');
  });
});

describe('starting twice', () => {
  it('a second start while the first is under way joins it instead of binding again', async () => {
    const e = engine();
    e.add('twice', hostFor(sshd), local(`0:127.0.0.1:${echo.port}`));
    const [a, b] = await Promise.all([e.start('twice'), e.start('twice')]);
    expect(boundOf(a.state)).toEqual(boundOf(b.state));
    expect(e.get('twice').state.state).toBe('active');
    expect(e.logs('twice').filter((l) => l.message.startsWith('Starting')).length).toBe(1);
  });
});
