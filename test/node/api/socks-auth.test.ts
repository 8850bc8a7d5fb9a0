// The app's path for a SOCKS login on a saved -D forward: the dispatcher with a
// MemorySecretStore (password stored, supplied at start), and without a stored
// password (asked through the prompt broker as a 'password' prompt), against
// the real engine and a real sshd.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../../electron/api/services';
import { MemorySecretStore, NoSecretStore, type SecretStore } from '../../../electron/profiles/secrets';
import type { Channel, Events } from '../../../shared/contract';
import { okCaller } from '../../support/dispatch';
import { exchange, socks5 } from '../../support/socks-client';
import { cleanup, freePort, startSshd, type Sshd } from '../../support/sshd';
import { echoServer, type TestServer } from '../../support/tcp';

const PASSWORD = 'app-s3cret-Ünïcode';
let sshd: Sshd;
let echo: TestServer;
const dirs: string[] = [];
const running: Services[] = [];

async function services(secretStore: SecretStore) {
  const dir = mkdtempSync(path.join(tmpdir(), 'burrow-app-socks-'));
  dirs.push(dir);
  const s = await createServices({ configDir: dir, secretStore, watchProfiles: false, promptTimeoutMs: 20_000 });
  running.push(s);
  const prompts: Events['prompt'][] = [];
  s.events.subscribe((event, payload) => {
    if (event === 'prompt') prompts.push(payload as Events['prompt']);
  });
  const ok = okCaller(() => s);
  const call = (c: Channel, input: unknown) => s.dispatcher.dispatch(c, input);
  await ok('host.add', {
    host: {
      name: 'lab',
      hostname: '127.0.0.1',
      port: sshd.port,
      user: sshd.user,
      auth: { method: 'key', keyPath: sshd.userKey, identitiesOnly: true },
      knownHostsFile: sshd.knownHosts,
      strictHostKeyChecking: 'yes',
    },
  });
  const fileBytes = () => readFileSync(path.join(dir, 'config.json'));
  return { s, ok, call, prompts, fileBytes };
}

const waitFor = async (cond: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
};

async function refusedWithout(port: number, user: string, password: string) {
  expect((await socks5(port, { ipv4: '127.0.0.1' }, echo.port)).method).toBe(0xff);
  expect((await socks5(port, { ipv4: '127.0.0.1' }, echo.port, { auth: { username: user, password: 'wrong' } })).authStatus).toBe(1);
  const right = await socks5(port, { ipv4: '127.0.0.1' }, echo.port, { auth: { username: user, password } });
  expect(right).toMatchObject({ status: 0, authStatus: 0 });
  expect((await exchange(right.sock, Buffer.from('hello'))).toString()).toBe('hello');
}

beforeAll(async () => {
  sshd = await startSshd();
  echo = await echoServer();
});

afterAll(async () => {
  for (const s of running) await s.dispose();
  await echo?.close();
  await cleanup(sshd);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('dispatcher: SOCKS login with a secret store', () => {
  it('forward.add with secret stores it by reference, starts with it, and never asks', async () => {
    const store = new MemorySecretStore();
    const app = await services(store);
    const port = await freePort();
    const v = await app.ok('forward.add', {
      forward: { name: 'proxy', kind: 'dynamic', listen: { host: '127.0.0.1', port: port }, host: 'lab', socksUser: 'alice' },
      secret: PASSWORD,
      start: true,
    });
    expect(v.state.state).toBe('active');
    expect(v.forward.socksSecretRef).toMatch(/^burrow:forward:/);
    expect(store.values.get(v.forward.socksSecretRef!)).toBe(PASSWORD);
    expect(app.fileBytes().includes(Buffer.from(PASSWORD))).toBe(false);
    await refusedWithout(port, 'alice', PASSWORD);
    expect(app.prompts).toEqual([]);
    const exported = await app.ok('export', { format: 'json' });
    expect(exported.text).not.toContain(PASSWORD);
    expect(exported.text).not.toContain('socksSecretRef');
    expect(JSON.stringify(await app.ok('state.get', undefined))).not.toContain(PASSWORD);

    // A new password through forward.update restarts the running forward with it.
    await app.ok('forward.update', { name: 'proxy', forward: { ...v.forward }, secret: 'second-password' });
    expect(app.s.engine.get('proxy').state.state).toBe('active');
    await refusedWithout(port, 'alice', 'second-password');
    // An update without a secret keeps the stored one (and the renderer's copy of the reference changes nothing).
    await app.ok('forward.update', { name: 'proxy', forward: { ...v.forward, socksSecretRef: 'burrow:host:nope', notes: 'team proxy' } });
    expect(store.values.get(v.forward.socksSecretRef!)).toBe('second-password');
    await refusedWithout(port, 'alice', 'second-password');
    await app.ok('forward.stop', { name: 'proxy' });
    await app.ok('forward.remove', { name: 'proxy' });
    expect(store.values.size).toBe(0);
  });

  it('validation: a login on a local forward, a password without a login', async () => {
    const app = await services(new MemorySecretStore());
    const local = await app.call('forward.add', {
      forward: { name: 'pop3', kind: 'local', listen: { host: '127.0.0.1', port: 1100 }, target: { host: 'mail', port: 110 }, host: 'lab', socksUser: 'alice' },
    });
    expect(local).toMatchObject({
      ok: false,
      code: 'VALIDATION',
      issues: [
        { field: 'forward.socksUser', message: 'A proxy user name only applies to SOCKS (dynamic) forwards; remove it or make this a dynamic forward.' },
      ],
    });
    const noUser = await app.call('forward.add', {
      forward: { name: 'p', kind: 'dynamic', listen: { host: '127.0.0.1', port: 1080 }, host: 'lab' },
      secret: PASSWORD,
    });
    expect(noUser).toMatchObject({ ok: false, code: 'VALIDATION', message: expect.stringContaining('A SOCKS password needs a proxy user name') });
  });
});

describe('dispatcher: SOCKS login without a stored password', () => {
  it("asks through the prompt broker as a 'password' prompt when the forward starts; cancel starts nothing", async () => {
    const app = await services(new MemorySecretStore());
    const port = await freePort();
    await app.ok('forward.add', { forward: { name: 'proxy', kind: 'dynamic', listen: { host: '127.0.0.1', port: port }, host: 'lab', socksUser: 'alice' } });

    const starting = app.ok('forward.start', { name: 'proxy' });
    await waitFor(() => app.prompts.length === 1);
    const prompt = app.prompts[0];
    expect(prompt).toMatchObject({
      type: 'secret',
      question: { kind: 'password', subject: 'SOCKS user alice (forward proxy)', prompt: "Password for SOCKS user 'alice' of forward 'proxy':" },
    });
    await app.ok('prompt.answer', { id: prompt.id, answer: { type: 'secret', value: 'typed-in-window' } });
    expect((await starting).state.state).toBe('active');
    await refusedWithout(port, 'alice', 'typed-in-window');
    // Restarting keeps what was typed; nothing is asked again.
    await app.ok('forward.restart', { name: 'proxy' });
    await refusedWithout(port, 'alice', 'typed-in-window');
    expect(app.prompts.length).toBe(1);
    expect(app.fileBytes().includes(Buffer.from('typed-in-window'))).toBe(false);

    // Once stopped, the next start asks again; cancelling leaves it stopped with the reason.
    await app.ok('forward.stop', { name: 'proxy' });
    const again = app.call('forward.start', { name: 'proxy' });
    await waitFor(() => app.prompts.length === 2);
    await app.ok('prompt.answer', { id: app.prompts[1].id, answer: { type: 'secret', value: null } });
    expect(await again).toMatchObject({
      ok: false,
      code: 'AUTH_FAILED',
      message: "Forward 'proxy' needs the password of its SOCKS user 'alice', and none was given; it was not started.",
    });
    expect(app.s.engine.get('proxy').state.state).toBe('stopped');
    const refused = await new Promise<string>((resolve) => {
      const c = net.connect(port, '127.0.0.1');
      c.once('connect', () => (c.destroy(), resolve('connected')));
      c.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    });
    expect(refused).toBe('ECONNREFUSED');
  });

  it('with no secret store (Linux basic_text), a password given with forward.add is used for that start and not kept', async () => {
    const app = await services(new NoSecretStore());
    const port = await freePort();
    const v = await app.ok('forward.add', {
      forward: { name: 'proxy', kind: 'dynamic', listen: { host: '127.0.0.1', port: port }, host: 'lab', socksUser: 'alice' },
      secret: PASSWORD,
      start: true,
    });
    expect(v.state.state).toBe('active');
    expect(v.forward.socksSecretRef).toBeUndefined();
    expect(app.fileBytes().includes(Buffer.from(PASSWORD))).toBe(false);
    await refusedWithout(port, 'alice', PASSWORD);
    expect(app.prompts).toEqual([]);
    expect((await app.ok('state.get', undefined)).secretStoreAvailable).toBe(false);
  });

  it('a path that starts the engine directly, without asking, runs no open proxy: every login is refused', async () => {
    const app = await services(new MemorySecretStore());
    const port = await freePort();
    await app.ok('forward.add', { forward: { name: 'proxy', kind: 'dynamic', listen: { host: '127.0.0.1', port: port }, host: 'lab', socksUser: 'alice' } });
    await app.s.engine.start('proxy');
    expect((await socks5(port, { ipv4: '127.0.0.1' }, echo.port)).method).toBe(0xff);
    expect((await socks5(port, { ipv4: '127.0.0.1' }, echo.port, { auth: { username: 'alice', password: '' } })).authStatus).toBe(1);
    expect((await socks5(port, { ipv4: '127.0.0.1' }, echo.port, { auth: { username: 'alice', password: '\u0000'.repeat(255) } })).authStatus).toBe(1);
    await app.s.engine.stop('proxy');
  });
});
