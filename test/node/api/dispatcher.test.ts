// The dispatcher, every channel, against the real engine, a real repository in a
// temporary BURROW_CONFIG_DIR and a real sshd on 127.0.0.1.
import { listenPort } from '../../../shared/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Channel, EventName, Events, Input, Result } from '../../../shared/contract';
import { CHANNELS } from '../../../shared/contract';
import { createServices, type Services } from '../../../electron/api/services';
import { isTrustedSender } from '../../../electron/api/sender';
import { MemorySecretStore } from '../../../electron/profiles/secrets';
import { okCaller } from '../../support/dispatch';
import { cleanup, freePort, startSshd, type Sshd } from '../../support/sshd';
import { echoServer, type TestServer } from '../../support/tcp';
import { boundOf } from '../../../shared/tunnel-state';

let sshd: Sshd;
let dir: string;
let services: Services;
let echo: TestServer;
const events: { event: EventName; payload: unknown }[] = [];

const call = (c: unknown, input?: unknown) => services.dispatcher.dispatch(c, input) as Promise<Result<unknown>>;
const ok = okCaller(() => services);
async function fail(c: unknown, input: unknown) {
  const r = await call(c, input);
  if (r.ok) throw new Error(`${String(c)} unexpectedly succeeded`);
  return r;
}
const waitFor = async (cond: () => boolean | Promise<boolean>, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
};
const eventsOf = <E extends EventName>(e: E) => events.filter((x) => x.event === e).map((x) => x.payload as Events[E]);

function roundTrip(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let got = '';
    s.on('data', (d) => {
      got += d.toString();
      if (got.length >= text.length) {
        s.end();
        resolve(got);
      }
    });
    s.on('error', reject);
    s.write(text);
  });
}

const hostInput = () => ({
  name: 'test',
  hostname: '127.0.0.1',
  port: sshd.port,
  user: sshd.user,
  auth: { method: 'key' as const, keyPath: sshd.userKey, identitiesOnly: true },
  knownHostsFile: sshd.knownHosts,
  strictHostKeyChecking: 'yes' as const,
});

beforeAll(async () => {
  sshd = await startSshd();
  dir = mkdtempSync(path.join(tmpdir(), 'burrow-app-'));
  echo = await echoServer();
  services = await createServices({
    configDir: dir,
    secretStore: new MemorySecretStore(),
    watchProfiles: false,
    promptTimeoutMs: 20_000,
    engine: { reconnect: { baseDelayMs: 100, maxDelayMs: 500 } },
  });
  services.events.subscribe((event, payload) => events.push({ event, payload }));
});

afterAll(async () => {
  await services?.dispose();
  await echo?.close();
  await cleanup(sshd);
  rmSync(dir, { recursive: true, force: true });
});

describe('dispatcher: validation and errors', () => {
  it('rejects unknown channels and malformed payloads without throwing', async () => {
    expect(await fail('nope', {})).toMatchObject({ code: 'USAGE', message: "Unknown request 'nope'." });
    expect(await fail(42, {})).toMatchObject({ code: 'USAGE' });
    expect(await fail('__proto__', {})).toMatchObject({ code: 'USAGE' });
    expect(await fail('forward.start', null)).toMatchObject({ code: 'VALIDATION' });
    expect(await fail('forward.start', 'pop3')).toMatchObject({ code: 'VALIDATION' });
    expect(await fail('forward.start', { name: 'x', extra: 1 })).toMatchObject({ code: 'VALIDATION', message: expect.stringContaining('extra') });
    expect(await fail('forward.start', { name: '' })).toMatchObject({ code: 'VALIDATION', issues: [{ field: 'name', message: 'Forward name is required.' }] });
  });

  it('names the field in validation errors', async () => {
    const r = await fail('forward.add', {
      forward: { name: 'bad name', kind: 'local', listen: { host: '127.0.0.1', port: 70000 }, target: { host: 'x', port: 1 }, host: 'test' },
    });
    expect(r.code).toBe('VALIDATION');
    const fields = (r as { issues: { field: string }[] }).issues.map((i) => i.field);
    expect(fields).toEqual(expect.arrayContaining(['forward.name', 'forward.listen.port']));
    expect(r.message).toContain('Local port must be between 1 and 65535 (got 70000).');
    const s = await fail('settings.set', { notifications: 'yes' });
    expect(s).toMatchObject({ code: 'VALIDATION', issues: [{ field: 'notifications' }] });
    expect(s.message).toContain('Notifications must be true or false');
  });

  it('returns domain errors as { ok: false, code, message }', async () => {
    expect(await fail('forward.start', { name: 'ghost' })).toMatchObject({
      ok: false,
      code: 'NOT_FOUND',
      message: expect.stringContaining("No forward named 'ghost'"),
    });
    expect(await fail('host.remove', { name: 'ghost' })).toMatchObject({ code: 'NOT_FOUND' });
    expect(await fail('prompt.answer', { id: 'nope', answer: { type: 'secret', value: 'x' } })).toMatchObject({ code: 'NOT_FOUND' });
    expect(await fail('forward.fromPreset', { presetId: 'gopher', host: 'test' })).toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('dispatcher: every channel against the real engine and sshd', () => {
  const touched = new Set<string>();
  const use = <C extends Channel>(c: C, input?: Input<C>) => {
    touched.add(c);
    return ok(c, input);
  };

  it('settings get/set change only what is given', async () => {
    expect(await use('settings.get')).toMatchObject({ launchAtLogin: false, notifications: true });
    await use('settings.set', { startHidden: true });
    expect(await use('settings.set', { notifications: false })).toMatchObject({ startHidden: true, notifications: false });
  });

  it('hosts: add, test, update, and refuse removing one in use', async () => {
    const added = await use('host.add', { host: hostInput() });
    expect(added.host).toMatchObject({ host: { name: 'test', port: sshd.port }, hasStoredSecret: false });
    expect(await use('host.test', { name: 'test' })).toMatchObject({ ok: true });
    const closedPort = await freePort();
    expect(await use('host.test', { host: { ...hostInput(), name: 'nowhere', port: closedPort } })).toMatchObject({
      ok: false,
      error: { code: 'SSH_CONNECT_FAILED' },
    });
    const updated = await use('host.update', { name: 'test', host: { ...hostInput(), keepalive: { interval: 5, countMax: 2 } } });
    expect(updated.host.host.keepalive).toEqual({ interval: 5, countMax: 2 });
  });

  it('forward.update replaces the saved forward: what the new one leaves out is gone, the kind may change, it may be renamed', async () => {
    const listen = { host: '127.0.0.1', port: await freePort() };
    await use('forward.add', {
      forward: { name: 'swap', kind: 'local', listen, target: { path: '/run/app.sock' }, host: 'test', group: 'g', notes: 'n', tags: ['t'] },
    });
    const v = await use('forward.update', { name: 'swap', forward: { name: 'swapped', kind: 'dynamic', listen, host: 'test' } });
    expect(v.forward).toEqual({ name: 'swapped', kind: 'dynamic', listen, host: 'test', autostart: false, tags: [] });
    expect(services.repo.getForward('swap')).toBeUndefined();
    expect(services.repo.getForward('swapped')).toEqual(v.forward);
    expect(await fail('forward.update', { name: 'swapped', forward: { name: 'swapped', kind: 'local', listen, host: 'test' } })).toMatchObject({
      code: 'VALIDATION',
      issues: [{ field: 'forward.target', message: 'The destination must be { "host": ..., "port": ... } or { "path": ... } (got missing).' }],
    });
    await use('forward.remove', { name: 'swapped' });
  });

  it('forwards: add and start; bytes flow; state, stats and log events; connections; health; restart; stop', async () => {
    const port = await freePort();
    const v = await use('forward.add', {
      forward: {
        name: 'echo',
        kind: 'local',
        listen: { host: '127.0.0.1', port: port },
        target: { host: '127.0.0.1', port: echo.port },
        host: 'test',
        group: 'dev',
      },
      start: true,
    });
    expect(v.state.state).toBe('active');
    expect(v.summary).toBe(`127.0.0.1:${port} -> 127.0.0.1:${echo.port} via test`);
    expect(v.sshCommand).toContain(`-L 127.0.0.1:${port}:127.0.0.1:${echo.port}`);
    expect(await roundTrip(port, 'hello through the tunnel')).toBe('hello through the tunnel');
    // Active with its destination not yet tried, then reached by the first connection.
    expect(
      eventsOf('state')
        .filter((e) => e.name === 'echo')
        .map((e) => (e.state.state === 'active' ? `active, ${e.state.destination.status}` : e.state.state)),
    ).toEqual(['connecting', 'active, untried', 'active, reachable']);
    expect(eventsOf('log').some((l) => l.forwardId === 'echo' && l.message.startsWith('Listening on'))).toBe(true);

    // A held-open connection shows up and can be closed.
    const held = net.connect(port, '127.0.0.1');
    held.on('error', () => undefined);
    await new Promise((r) => held.once('connect', r));
    held.write('x');
    await new Promise((r) => held.once('data', r));
    // The round trip's connection may still be closing; the list settles to just the held one.
    const heldSource = `127.0.0.1:${held.localPort}`;
    let conns = await use('forward.connections', { name: 'echo' });
    await waitFor(async () => (conns = await use('forward.connections', { name: 'echo' })).length === 1);
    expect(conns.map((c) => c.source)).toEqual([heldSource]);
    const closedP = new Promise((r) => held.once('close', r));
    expect(await use('forward.closeConnection', { name: 'echo', connectionId: conns[0].id })).toEqual({ closed: true });
    await closedP;
    expect(await use('forward.closeConnection', { name: 'echo', connectionId: 999_999 })).toEqual({ closed: false });

    const stop = services.startStats(() => true, 50);
    await waitFor(() => eventsOf('stats').length > 0);
    stop();
    const last = eventsOf('stats').at(-1)!;
    expect(last.stats.echo.totalConnections).toBeGreaterThanOrEqual(2);
    expect(last.stats.echo.bytesIn).toBeGreaterThan(0);

    const health = await use('forward.healthCheck', { name: 'echo' });
    expect(health.ok).toBe(true);
    expect(health.rttMs).toBeGreaterThanOrEqual(0);
    const logs = await use('forward.logs', { name: 'echo', limit: 2 });
    expect(logs).toHaveLength(2);
    expect(logs[1].message).toMatch(/^Health check: OK/);

    expect((await use('forward.restart', { name: 'echo' })).state.state).toBe('active');
    expect((await use('forward.retryNow', { name: 'echo' })).forward.name).toBe('echo');
    expect(await roundTrip(port, 'again')).toBe('again');
    expect((await use('forward.stop', { name: 'echo' })).state.state).toBe('stopped');
    await expect(roundTrip(port, 'x')).rejects.toThrow();
  });

  it('editing a running forward restarts it on the new port; a busy port fails with its reason', async () => {
    await use('forward.start', { name: 'echo' });
    const newPort = await freePort();
    const cur = (await use('state.get')).forwards.find((f) => f.forward.name === 'echo')!.forward;
    const v = await use('forward.update', { name: 'echo', forward: { ...cur, listen: { host: '127.0.0.1', port: newPort } } });
    expect(v.state.state).toBe('active');
    expect(boundOf(v.state)).toEqual({ host: '127.0.0.1', port: newPort });
    expect(await roundTrip(newPort, 'moved')).toBe('moved');
    await use('forward.stop', { name: 'echo' });

    const busy = net.createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
    const busyPort = (busy.address() as net.AddressInfo).port;
    await use('forward.add', {
      forward: { name: 'busy', kind: 'local', listen: { host: '127.0.0.1', port: busyPort }, target: { host: '127.0.0.1', port: echo.port }, host: 'test' },
    });
    const r = await fail('forward.start', { name: 'busy' });
    expect(r.code).toBe('PORT_IN_USE');
    const check = await use('port.check', { port: busyPort });
    expect(check.free).toBe(false);
    expect(check.suggestion).toBeGreaterThan(busyPort);
    expect((await use('port.check', { port: check.suggestion! })).free).toBe(true);
    busy.close();
    await use('forward.remove', { name: 'busy' });
  });

  it('groups start and stop together', async () => {
    const port = await freePort();
    await use('forward.add', {
      forward: {
        name: 'echo2',
        kind: 'local',
        listen: { host: '127.0.0.1', port: port },
        target: { host: '127.0.0.1', port: echo.port },
        host: 'test',
        group: 'dev',
      },
    });
    const started = await use('group.start', { group: 'dev' });
    expect(started.results.map((r) => [r.name, r.ok])).toEqual([
      ['echo', true],
      ['echo2', true],
    ]);
    expect(await roundTrip(port, 'group')).toBe('group');
    const stopped = await use('group.stop', { group: 'dev' });
    expect(stopped.results.every((r) => r.ok)).toBe(true);
    expect((await use('state.get')).forwards.filter((f) => f.forward.group === 'dev').map((f) => f.state.state)).toEqual(['stopped', 'stopped']);
    expect(await fail('group.start', { group: 'none' })).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('presets: list, then "Forward POP3 to localhost:<port>" in two steps', async () => {
    const presets = await use('presets.list');
    const pop3 = presets.find((p) => p.id === 'pop3')!;
    expect(pop3).toMatchObject({ label: 'POP3', kind: 'local', port: 110 });
    expect(pop3.localPort).toBeGreaterThanOrEqual(1100);
    expect(pop3.title).toBe(`Forward POP3 to localhost:${pop3.localPort}`);
    const v = await use('forward.fromPreset', { presetId: 'pop3', host: 'test' });
    expect(v.forward).toMatchObject({ name: 'pop3-test', kind: 'local', target: { host: 'localhost', port: 110 }, host: 'test' });
    const again = await use('forward.fromPreset', { presetId: 'pop3', host: 'test' });
    expect(again.forward.name).toBe('pop3-test-2');
    expect(listenPort(again.forward)).not.toBe(listenPort(v.forward));
    await use('forward.remove', { name: 'pop3-test-2' });
  });

  it('import: preview, then apply only what was selected; export', async () => {
    const text = `Host alpha\n  HostName alpha.example\n  User a\n  LocalForward 15432 db:5432\n\nHost beta\n  HostName beta.example\n`;
    const preview = await use('import.preview', { source: { format: 'ssh_config', text } });
    expect(preview.applied).toBe(false);
    expect(preview.items.filter((i) => i.action === 'add').map((i) => i.name)).toEqual(expect.arrayContaining(['alpha', 'beta']));
    expect((await use('state.get')).hosts.map((h) => h.host.name)).toEqual(['test']);
    const applied = await use('import.apply', { source: { format: 'ssh_config', text }, select: ['beta'] });
    expect(applied.applied).toBe(true);
    expect((await use('state.get')).hosts.map((h) => h.host.name).sort()).toEqual(['beta', 'test']);

    const json = await use('export', { format: 'json', forwards: ['echo'] });
    const parsed = JSON.parse(json.text);
    expect(parsed.forwards.map((f: { name: string }) => f.name)).toEqual(['echo']);
    expect(parsed.hosts.map((h: { name: string }) => h.name)).toEqual(['test']);
    const cfg = await use('export', { format: 'ssh_config' });
    expect(cfg.text).toMatch(/Host beta/);
    expect(cfg.fileName).toBe('burrow-ssh_config');
    expect(await fail('import.preview', { source: { format: 'json', text: '{nope' } })).toMatchObject({ code: 'VALIDATION' });
  });

  it('prompts: an unknown host key is asked through events and answered by prompt.answer', async () => {
    const emptyKnown = path.join(dir, 'known_hosts_empty');
    writeFileSync(emptyKnown, '');
    await use('host.add', { host: { ...hostInput(), name: 'asky', knownHostsFile: emptyKnown, strictHostKeyChecking: 'ask' } });
    const before = eventsOf('prompt').length;
    const began = performance.now();
    const testing = use('host.test', { name: 'asky' });
    await waitFor(() => eventsOf('prompt').length > before);
    const asked = performance.now();
    // The person takes a while to answer: that time is theirs, not the connection's.
    await new Promise((r) => setTimeout(r, 2000));
    const prompt = eventsOf('prompt').at(-1)!;
    expect(prompt.type).toBe('hostKey');
    if (prompt.type !== 'hostKey') throw new Error('unreachable');
    expect(prompt.question.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]+$/);
    expect((await use('prompt.pending')).map((p) => p.id)).toEqual([prompt.id]);
    expect(await fail('prompt.answer', { id: prompt.id, answer: { type: 'secret', value: 'x' } })).toMatchObject({ code: 'VALIDATION' });
    expect(await fail('prompt.answer', { id: prompt.id, answer: { type: 'hostKey', decision: 'maybe' } })).toMatchObject({
      code: 'VALIDATION',
      issues: [{ field: 'answer.decision' }],
    });
    const answered = performance.now();
    expect(await use('prompt.answer', { id: prompt.id, answer: { type: 'hostKey', decision: 'once' } })).toEqual({ accepted: true });
    const tested = await testing;
    expect(tested).toMatchObject({ ok: true });
    expect(tested.elapsedMs).toBeLessThanOrEqual(Math.ceil(performance.now() - began - (answered - asked)));
    expect(eventsOf('prompt.closed').at(-1)).toEqual({ id: prompt.id, reason: 'answered' });
    expect(await use('prompt.pending')).toEqual([]);

    // Rejecting the key fails the connection with the reason.
    const second = use('host.test', { name: 'asky' });
    await waitFor(() => eventsOf('prompt').length > before + 1);
    await use('prompt.answer', { id: eventsOf('prompt').at(-1)!.id, answer: { type: 'hostKey', decision: 'reject' } });
    expect(await second).toMatchObject({ ok: false, error: { code: 'HOSTKEY_REJECTED' } });
  });

  it('keys.list: the private keys in ~/.ssh (key-files.test.ts covers the formats)', async () => {
    const list = await use('keys.list');
    expect(list.dir).toBe(path.join(homedir(), '.ssh'));
    for (const k of list.keys) expect(k.path.startsWith(list.dir)).toBe(true);
  });

  it('removing: forwards, then hosts; profile change events were sent', async () => {
    expect(await fail('host.remove', { name: 'test' })).toMatchObject({ code: 'CONFLICT' });
    for (const f of (await use('state.get')).forwards) await use('forward.remove', { name: f.forward.name });
    expect(await use('host.remove', { name: 'test' })).toEqual({ removed: 'test' });
    expect(services.engine.list()).toEqual([]);
    expect(eventsOf('profiles').length).toBeGreaterThan(0);
  });

  it('algorithms: resolves a value with the engine resolver', async () => {
    expect(await use('algorithms.resolve', { kind: 'kex', value: 'curve25519-sha256' })).toEqual({ kind: 'kex', list: ['curve25519-sha256'], form: 'list' });
  });

  it('covered every channel', () => {
    const rest = CHANNELS.filter((c) => !touched.has(c));
    expect(rest).toEqual([]);
  });
});

describe('stats ticker and sender check', () => {
  it('sends no stats while no window is visible', async () => {
    const n = eventsOf('stats').length;
    let visible = false;
    const stop = services.startStats(() => visible, 20);
    await new Promise((r) => setTimeout(r, 120));
    expect(eventsOf('stats').length).toBe(n);
    visible = true;
    await waitFor(() => eventsOf('stats').length > n);
    stop();
  });

  it('accepts only the top frame of the app origin', () => {
    const origins = ['burrow://app'];
    expect(isTrustedSender({ url: 'burrow://app/index.html', isTopFrame: true }, origins)).toBe(true);
    expect(isTrustedSender({ url: 'burrow://app/index.html', isTopFrame: false }, origins)).toBe(false);
    expect(isTrustedSender({ url: 'burrow://evil/index.html', isTopFrame: true }, origins)).toBe(false);
    expect(isTrustedSender({ url: 'https://app/index.html', isTopFrame: true }, origins)).toBe(false);
    expect(isTrustedSender({ url: 'file:///app/index.html', isTopFrame: true }, origins)).toBe(false);
    expect(isTrustedSender({ url: 'burrow://user:pw@app/', isTopFrame: true }, origins)).toBe(false);
    expect(isTrustedSender({ url: 'not a url', isTopFrame: true }, origins)).toBe(false);
    expect(isTrustedSender(null, origins)).toBe(false);
    expect(isTrustedSender({ url: 'http://localhost:5173/', isTopFrame: true }, ['burrow://app', 'http://localhost:5173'])).toBe(true);
  });
});
