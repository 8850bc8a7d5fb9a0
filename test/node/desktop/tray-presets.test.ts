// The tray's quick presets say the local port they will really use (computed as
// adding a preset computes it), the forward made from the menu is the one the
// label named, and a failed tray action becomes a notice for the person.
import { listenPort, parseHost } from '../../../shared/model';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../../electron/api/services';
import { MemorySecretStore } from '../../../electron/profiles/secrets';
import { runTrayAction, trayFailureNotice } from '../../../electron/desktop/tray-actions';
import { trayInput, trayPresets, trayRefresher } from '../../../electron/desktop/tray-input';
import { buildTrayMenu, type TrayAction, type TrayInput, type TrayItem } from '../../../electron/desktop/tray-menu';
import type { Forward } from '../../../shared/model';

const fwd = (name: string, port: number, kind: Forward['kind'] = 'local'): Forward =>
  ({
    name,
    kind,
    listen: { host: kind === 'remote' ? 'localhost' : '127.0.0.1', port },
    host: 'mail',
    autostart: false,
    tags: [],
    ...(kind === 'dynamic' ? {} : { target: { host: 'localhost', port: 110 } }),
  }) as Forward;

function presetAction(items: TrayItem[], label: string, via: string): TrayAction {
  const quick = items.find((i) => i.kind === 'submenu' && i.label === 'Quick forward') as Extract<TrayItem, { kind: 'submenu' }>;
  const preset = quick.items.find((i) => i.kind === 'submenu' && i.label === label) as Extract<TrayItem, { kind: 'submenu' }> | undefined;
  if (!preset) throw new Error(`no preset '${label}' in ${quick.items.map((i) => ('label' in i ? i.label : '')).join(', ')}`);
  const item = preset.items.find((i) => i.kind === 'normal' && i.label === `via ${via}`) as Extract<TrayItem, { kind: 'normal' }>;
  return item.action!;
}

function listen(port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen({ port, host: '127.0.0.1', exclusive: true }, () => resolve(s));
  });
}

describe('tray preset labels', () => {
  it('name the port the preset will get: saved forwards and busy ports are passed over', async () => {
    const busy = new Set([1101]);
    const isFree = (p: number) => !busy.has(p);
    const labels = await trayPresets({ forwards: [fwd('pop3-mail', 1100)] }, isFree);
    expect(labels.find((p) => p.id === 'pop3')).toEqual({ id: 'pop3', label: 'Forward POP3 to localhost:1102', localPort: 1102 });
    expect(labels.find((p) => p.id === 'imap')).toEqual({ id: 'imap', label: 'Forward IMAP to localhost:1143', localPort: 1143 });
    expect(labels.find((p) => p.id === 'socks')).toEqual({ id: 'socks', label: 'SOCKS proxy on localhost:1080', localPort: 1080 });
    // A remote forward's port is on the server: it does not take a local one.
    expect((await trayPresets({ forwards: [fwd('back', 1080, 'remote')] }, () => true)).find((p) => p.id === 'socks')!.localPort).toBe(1080);
  });

  it('the menu action carries the labelled port', async () => {
    const presets = await trayPresets({ forwards: [fwd('pop3-mail', 1100)] }, () => true);
    const menu = buildTrayMenu(trayInput({ forwards: [], hosts: [{ name: 'mail' } as never] }, () => undefined, presets));
    expect(presetAction(menu, 'Forward POP3 to localhost:1101', 'mail')).toEqual({
      type: 'preset',
      presetId: 'pop3',
      hostId: 'mail',
      localPort: 1101,
      label: 'Forward POP3 to localhost:1101',
    });
  });

  it('a refresh asked for while one runs is folded into one more run with the latest state', async () => {
    const seen: TrayInput[] = [];
    let forwards: Forward[] = [];
    const refresh = trayRefresher({
      document: () => ({ forwards, hosts: [] }),
      stateOf: () => () => undefined,
      update: (i) => seen.push(i),
      isFree: () => true,
    });
    const first = refresh();
    forwards = [fwd('pop3-mail', 1100)];
    void refresh();
    void refresh();
    await first;
    await refresh();
    expect(seen.at(-1)!.presets.find((p) => p.id === 'pop3')!.label).toBe('Forward POP3 to localhost:1101');
    expect(seen.length).toBeLessThanOrEqual(3);
  });
});

describe('tray actions through the real services', () => {
  let dir: string;
  let services: Services;
  let closedPort: number;
  const deps = () => ({
    dispatch: (c: string, i: unknown) => services.dispatcher.dispatch(c, i),
    document: () => services.repo.document(),
    open: () => undefined,
    quit: () => undefined,
  });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'burrow-tray-'));
    // The app retries a first connect that may heal (a server not up yet); here it must fail at once.
    services = await createServices({ configDir: dir, secretStore: new MemorySecretStore(), watchProfiles: false, engine: { retryFirstConnect: false } });
    // An SSH host nobody listens on. (Starts below fail on their local port, taken by a
    // squatter, before any SSH connection is tried: a refused SSH host may be retried.)
    const s = await listen(0);
    closedPort = (s.address() as net.AddressInfo).port;
    await new Promise((r) => s.close(r));
    await services.repo.addHost(parseHost({ name: 'mail', hostname: '127.0.0.1', port: closedPort, auth: { method: 'agent' }, strictHostKeyChecking: 'no' }));
  });
  afterAll(async () => {
    await services?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a quick preset makes the forward its label named, even when the probe would now pick another port; the failure is told', async () => {
    const redis = (await trayPresets(services.repo.document())).find((p) => p.id === 'redis')!;
    const menu = buildTrayMenu(trayInput(services.repo.document(), () => undefined, [redis]));
    const action = presetAction(menu, redis.label, 'mail');
    // Another program takes the labelled port after the menu was built.
    const squatter = await listen(redis.localPort!);
    try {
      const notice = await runTrayAction(action, deps());
      const saved = services.repo.listForwards().find((f) => f.name === 'redis-mail')!;
      expect(listenPort(saved)).toBe(redis.localPort);
      expect(redis.label).toBe(`Forward Redis to localhost:${listenPort(saved)}`);
      // It could not start (the port is taken): the person is told, with the message.
      expect(notice).toEqual({
        title: 'Added redis-mail, but it could not start',
        body: expect.stringContaining(`Local port ${redis.localPort} is already in use`),
      });
    } finally {
      await new Promise((r) => squatter.close(r));
    }
    // The next label moves on: the saved forward holds that port now.
    const next = (await trayPresets(services.repo.document())).find((p) => p.id === 'redis')!;
    expect(next.localPort).toBeGreaterThan(redis.localPort!);
    expect(next.label).toBe(`Forward Redis to localhost:${next.localPort}`);
    // The same preset again via the same host: a second forward, named -2, on the new label's port.
    const squatter2 = await listen(next.localPort!);
    try {
      const again = await runTrayAction(presetAction(buildTrayMenu(trayInput(services.repo.document(), () => undefined, [next])), next.label, 'mail'), deps());
      expect(again?.title).toBe('Added redis-mail-2, but it could not start');
      expect(listenPort(services.repo.getForward('redis-mail-2')!)).toBe(next.localPort);
    } finally {
      await new Promise((r) => squatter2.close(r));
    }
  }, 30_000);

  it('a failed start from the tray is a notice with the message, not only a log line', async () => {
    const port = listenPort(services.repo.requireForward('redis-mail')!)!;
    const squatter = await listen(port);
    try {
      const notice = await runTrayAction({ type: 'toggle', forwardId: 'redis-mail', start: true }, deps());
      expect(notice).toEqual({ title: 'Could not start redis-mail', body: expect.stringContaining(`Local port ${port} is already in use`) });
    } finally {
      await new Promise((r) => squatter.close(r));
    }
    expect(await runTrayAction({ type: 'toggle', forwardId: 'nope', start: true }, deps())).toEqual({
      title: 'Could not start nope',
      body: expect.stringContaining("No forward named 'nope'"),
    });
    expect(await runTrayAction({ type: 'toggle', forwardId: 'redis-mail', start: false }, deps())).toBeNull();
  }, 30_000);
});

describe('tray failure notices', () => {
  it('say what was clicked and why it failed; a group lists the forwards that failed', () => {
    expect(trayFailureNotice({ type: 'toggle', forwardId: 'pop3', start: false }, { ok: false, code: 'INTERNAL', message: 'boom' })).toEqual({
      title: 'Could not stop pop3',
      body: 'boom',
    });
    expect(trayFailureNotice({ type: 'toggle', forwardId: 'pop3', start: true }, { ok: true, value: {} })).toBeNull();
    expect(
      trayFailureNotice(
        { type: 'preset', presetId: 'pop3', hostId: 'h', localPort: 1100, label: 'Forward POP3 to localhost:1100' },
        { ok: false, code: 'VALIDATION', message: 'bad' },
      ),
    ).toEqual({
      title: 'Could not add "Forward POP3 to localhost:1100" via h',
      body: 'bad',
    });
    const group = { type: 'group', group: 'mail', start: true } as const;
    expect(
      trayFailureNotice(group, {
        ok: true,
        value: {
          group: 'mail',
          results: [
            { name: 'a', ok: true },
            { name: 'b', ok: false, code: 'PORT_IN_USE', message: 'Local port 1100 is in use.' },
          ],
        },
      }),
    ).toEqual({ title: 'Could not start every forward in mail', body: 'b: Local port 1100 is in use.' });
    expect(trayFailureNotice(group, { ok: true, value: { group: 'mail', results: [{ name: 'a', ok: true }] } })).toBeNull();
    expect(trayFailureNotice({ type: 'preset', presetId: 'gopher', hostId: 'h' }, { thrown: new Error("No preset named 'gopher'.") })).toEqual({
      title: 'Could not add "the gopher preset" via h',
      body: "No preset named 'gopher'.",
    });
  });
});

describe('tray preset answers', () => {
  it('asks forward.fromPreset for the port the label named; a saved forward whose start failed is told as such', async () => {
    const base = { open: () => undefined, quit: () => undefined };
    const action: TrayAction = { type: 'preset', presetId: 'pop3', hostId: 'mail', localPort: 1100, label: 'Forward POP3 to localhost:1100' };
    const asked: [string, unknown][] = [];
    const carried = await runTrayAction(action, {
      ...base,
      dispatch: async (c, input) => {
        asked.push([c, input]);
        return { ok: true, value: { forward: { name: 'pop3-mail' }, startError: { code: 'PORT_IN_USE', message: 'Local port 1100 is already in use.' } } };
      },
    });
    expect(asked).toEqual([['forward.fromPreset', { presetId: 'pop3', host: 'mail', localPort: 1100, start: true }]]);
    expect(carried).toEqual({ title: 'Added pop3-mail, but it could not start', body: 'Local port 1100 is already in use.' });
    const failed = await runTrayAction(action, { ...base, dispatch: async () => ({ ok: false, code: 'NOT_FOUND', message: "No host named 'mail'." }) });
    expect(failed).toEqual({ title: 'Could not add "Forward POP3 to localhost:1100" via mail', body: "No host named 'mail'." });
    expect(await runTrayAction(action, { ...base, dispatch: async () => ({ ok: true, value: { forward: { name: 'pop3-mail' } } }) })).toBeNull();
  });
});
