// The desktop app's main process, as built (out/main/main.js), run under plain
// Node with a recording fake of 'electron' (test/support/electron-fake): the
// window's settings, the app protocol, every IPC channel from untrusted and
// trusted frames, the profiles saved through electron-store, the tray menu
// driving a forward through a real sshd, and quit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { apiKeys } from '../../../shared/burrow-api';
import {
  API_GLOBAL,
  CHANNELS,
  DESKTOP_METHODS,
  desktopChannel,
  ipcChannel,
  ipcEvent,
  type BurrowApi,
  type Channel,
  type EventName,
} from '../../../shared/contract';
import { APP_ENTRY, contentSecurityPolicy, webPreferences } from '../../../electron/serve/security';
import { runBuiltMain, type FakeApp, type Recorded } from '../../support/electron-fake/driver';
import { sshdHostInput } from '../../support/hosts';
import { cleanup, freePort, startSshd, type Sshd } from '../../support/sshd';
import { echoServer, roundTrip, type TestServer } from '../../support/tcp';

const root = path.resolve(import.meta.dirname, '../../..');
const OUT = path.join(root, 'test-results/app-main-build');
const TRUSTED = { url: APP_ENTRY, top: true };
const REFUSED = { ok: false, code: 'USAGE', message: 'Requests are only accepted from the Burrow window.' };

let sshd: Sshd;
let echo: TestServer;
let dir: string;
let app: FakeApp;
let echoPort: number;
const record = () => path.join(dir, 'electron-calls.json');

const waitFor = async <T>(what: string, get: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> => {
  const end = Date.now() + ms;
  for (;;) {
    const v = await get();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};
const invoke = (channel: string, input: unknown, frame: { url: string; top: boolean } | null = TRUSTED) =>
  app.op<{ ok: boolean; code?: string; message?: string; value?: unknown }>('invoke', { channel: ipcChannel(channel as never), input, frame });
type Item = { type?: string; label?: string; checked?: boolean; enabled?: boolean; submenu?: Item[] };
const trayItems = async () => (await app.op<{ items: Item[] }>('tray')).items;

beforeAll(async () => {
  // The bundle under test is the one `npm run build` makes from these sources.
  // Into a folder of its own, so that the browser tests' out/renderer is never rebuilt under them.
  execFileSync(process.execPath, [path.join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], {
    cwd: root,
    stdio: 'ignore',
    env: { ...process.env, BURROW_BUILD_OUT: OUT },
  });
  sshd = await startSshd();
  echo = await echoServer();
  echoPort = await freePort();
  dir = mkdtempSync(path.join(tmpdir(), 'burrow-main-'));
  app = runBuiltMain(OUT, {
    BURROW_CONFIG_DIR: path.join(dir, 'config'),
    BURROW_FAKE_USER_DATA: path.join(dir, 'userData'),
    BURROW_FAKE_RECORD: record(),
    HOME: dir,
  });
  await waitFor(
    'the IPC handlers',
    () => app.op<string[]>('handlers'),
    (h) => CHANNELS.every((c) => h.includes(ipcChannel(c))),
  );
}, 90_000);

afterAll(async () => {
  app?.kill();
  await echo?.close();
  await cleanup(sshd);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the built main process under a recording fake of Electron', () => {
  it('the built preload exposes only invoke, on and desktop, typed from the contract, each over its own IPC channel', async () => {
    // The sandboxed preload bundle, run with the two parts of Electron it may use.
    const exposed: Record<string, unknown> = {};
    const sent: unknown[][] = [];
    const listeners: string[] = [];
    const electron = {
      contextBridge: { exposeInMainWorld: (key: string, value: unknown) => (exposed[key] = value) },
      ipcRenderer: {
        invoke: async (...args: unknown[]) => (sent.push(args), { ok: true, value: null }),
        on: (channel: string) => listeners.push(channel),
        removeListener: () => undefined,
      },
    };
    const source = readFileSync(path.join(OUT, 'preload/preload.cjs'), 'utf8');
    const require = (id: string) => {
      if (id === 'electron') return electron;
      throw new Error(`the preload required '${id}'`);
    };
    vm.runInNewContext(source, { require, module: { exports: {} }, exports: {} });
    expect(Object.keys(exposed)).toEqual([API_GLOBAL]);
    const api = exposed[API_GLOBAL] as BurrowApi;
    expect(Object.keys(api).sort()).toEqual(apiKeys(true).sort());
    expect(Object.isFrozen(api)).toBe(true);
    expect(await api.invoke('forward.start', { name: 'pop3' })).toEqual({ ok: true, value: null });
    await api.desktop!.chooseKeyFile();
    expect(sent).toEqual([[ipcChannel('forward.start'), { name: 'pop3' }], [desktopChannel('chooseKeyFile')]]);
    await expect(api.invoke('shell.exec' as Channel, {} as never)).rejects.toThrow("Unknown channel 'shell.exec'.");
    api.on('state', () => undefined);
    expect(listeners).toEqual([ipcEvent('state')]);
    expect(() => api.on('nope' as EventName, () => undefined)).toThrow("Unknown event 'nope'.");
    expect(sent).toHaveLength(2);
  });

  it('opens one hardened window on the app protocol, registered before ready', async () => {
    const [win, ...others] = await app.op<{ options: { webPreferences: object; minWidth: number } }[]>('windows');
    expect(others).toEqual([]);
    const preload = path.join(OUT, 'preload/preload.cjs');
    expect(existsSync(preload)).toBe(true);
    expect(win.options.webPreferences).toEqual(webPreferences(preload));
    expect(win.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
    expect((await app.calls('BrowserWindow.loadURL')).map((c) => c.args[0])).toEqual([APP_ENTRY]);
    // The fake throws when the scheme is registered after ready: one call means it came in time.
    expect((await app.calls('protocol.registerSchemesAsPrivileged')).map((c) => (c.args[0] as { scheme: string }[])[0].scheme)).toEqual(['burrow']);
    expect(await app.calls('unfaked')).toEqual([]);
  });

  it('serves the built renderer on burrow://app with its CSP, and nothing outside it', async () => {
    const page = await app.op<{ status: number; headers: Record<string, string>; body: string }>('appRequest', { url: APP_ENTRY });
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toBe(contentSecurityPolicy());
    expect(page.body).toContain('<title>Burrow</title>');
    const outside = await app.op<{ status: number }>('appRequest', { url: 'burrow://app/%2e%2e/%2e%2e/package.json' });
    expect(outside.status).not.toBe(200);
    expect(await app.op('navigate', { url: 'https://attacker.example/' })).toBe(true);
    expect(await app.op('windowOpen', { url: 'https://example.com/docs' })).toEqual({ action: 'deny' });
    expect((await app.calls('shell.openExternal')).map((c) => c.args[0])).toEqual(['https://example.com/docs']);
    expect(await app.op('permission', { permission: 'geolocation', origin: 'burrow://app' })).toBe(false);
  });

  it('refuses every IPC channel from an untrusted frame and serves it from the app’s own', async () => {
    const untrusted = [{ url: 'https://attacker.example/', top: true }, { url: APP_ENTRY, top: false }, null];
    for (const channel of CHANNELS) {
      for (const frame of untrusted) expect(await invoke(channel, {}, frame), `${channel} from ${JSON.stringify(frame)}`).toEqual(REFUSED);
      // From the window, the dispatcher answers (an input error is an answer too); never the refusal.
      const served = await invoke(channel, { surely: 'not valid' });
      expect(served, channel).toHaveProperty('ok');
      expect(served.message, channel).not.toBe(REFUSED.message);
    }
    expect(await invoke('state.get', undefined)).toMatchObject({ ok: true, value: { forwards: [], hosts: [] } });
    // Native dialogs: only for the window, never for another frame.
    for (const m of DESKTOP_METHODS) {
      expect(await app.op('invoke', { channel: desktopChannel(m), frame: { url: 'https://attacker.example/', top: true } })).toBeNull();
      expect(await app.calls('dialog.showOpenDialog')).toEqual([]);
      expect(await app.op('invoke', { channel: desktopChannel(m), frame: TRUSTED })).toBeNull();
      expect(await app.calls('dialog.showOpenDialog')).toHaveLength(1);
    }
  });

  it('builds the tray menu; its toggle starts a forward that carries bytes through sshd, and its POP3 item adds one', async () => {
    const host = sshdHostInput(sshd, 'test', { strictHostKeyChecking: 'yes' });
    expect(await invoke('host.add', { host })).toMatchObject({ ok: true });
    const forward = {
      name: 'echo',
      kind: 'local',
      listen: { host: '127.0.0.1', port: echoPort },
      target: { host: '127.0.0.1', port: echo.port },
      host: 'test',
    };
    expect(await invoke('forward.add', { forward })).toMatchObject({ ok: true });
    // Saved through the app's store binding, electron-store (it registers its renderer helper's channel), 0600 in a 0700 folder.
    expect(await app.calls('ipcMain.on')).toEqual([{ api: 'ipcMain.on', args: ['electron-store-get-data'] }]);
    const configFile = path.join(dir, 'config', 'config.json');
    expect(JSON.parse(readFileSync(configFile, 'utf8'))).toMatchObject({ hosts: [{ name: 'test' }], forwards: [{ name: 'echo' }] });
    expect(statSync(configFile).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(configFile)).mode & 0o777).toBe(0o700);

    const label = `echo — 127.0.0.1:${echoPort}`;
    await waitFor('the forward in the tray', trayItems, (items) => items.some((i) => i.label === `${label} (stopped)` && i.checked === false));
    expect((await trayItems()).map((i) => i.label)).toEqual(expect.arrayContaining(['Quick forward', 'Open Burrow', 'Quit Burrow']));

    await app.op('click', { labels: [`^${label}`] });
    await waitFor('the forward active in the tray', trayItems, (items) =>
      items.some((i) => i.label === `${label} (active, destination not yet tried)` && i.checked === true),
    );
    expect((await roundTrip(echoPort, Buffer.from('through the tray'))).toString()).toBe('through the tray');
    await waitFor('plain active once a connection went through', trayItems, (items) =>
      items.some((i) => i.label === `${label} (active)` && i.checked === true),
    );
    // The renderer heard about it too.
    expect((await app.calls('webContents.send')).some((c) => c.args[0] === ipcEvent('state'))).toBe(true);

    const quick = (await trayItems()).find((i) => i.label === 'Quick forward')!.submenu!;
    const pop3 = quick.find((i) => /^Forward POP3 to localhost:\d+$/.test(i.label ?? ''));
    expect(pop3?.submenu?.map((i) => i.label)).toEqual(['via test']);
    const port = Number(pop3!.label!.split(':').at(-1));
    await app.op('click', { labels: ['^Quick forward$', `^${pop3!.label}$`, '^via test$'] });
    await waitFor('the POP3 forward', trayItems, (items) => items.some((i) => i.label?.startsWith(`pop3-test — 127.0.0.1:${port} (`) && i.checked === true));
    const state = await invoke('state.get', undefined);
    const views = (state.value as { forwards: { forward: { name: string; port: number }; state: { state: string } }[] }).forwards;
    expect(views.find((v) => v.forward.name === 'pop3-test')).toMatchObject({
      forward: { listen: { port }, target: { port: 110 } },
      state: { state: 'active' },
    });
    expect(await app.calls('unfaked')).toEqual([]);
  });

  it('quit asks, stops every forward, destroys the tray and touches it no more', async () => {
    expect(await app.op('beforeQuit')).toBe(true); // held until the forwards are stopped
    const code = await app.exited;
    expect(code, app.output()).toBe(0);
    const calls = JSON.parse(readFileSync(record(), 'utf8')) as Recorded[];
    const asked = calls.filter((c) => c.api === 'dialog.showMessageBox').map((c) => (c.args[0] as { detail: string }).detail);
    expect(asked).toEqual(['2 forwards are running. Quitting stops them.']);
    const order = calls.map((c) => c.api);
    expect(order.indexOf('Tray.destroy')).toBeGreaterThan(order.lastIndexOf('dialog.showMessageBox'));
    expect(order.indexOf('app.quit')).toBeGreaterThan(order.indexOf('Tray.destroy'));
    // A tray refresh still pending at quit must not reach the destroyed tray.
    expect(calls.filter((c) => c.api === 'Tray.usedAfterDestroy')).toEqual([]);
    expect(calls.filter((c) => c.api === 'unfaked')).toEqual([]);
    await expect(
      new Promise((resolve, reject) => {
        const s = net.connect(echoPort, '127.0.0.1', () => reject(new Error('still listening after quit')));
        s.on('error', resolve);
      }),
    ).resolves.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
