// Burrow's Electron main process: thin glue between Electron and the plain-Node
// services (electron/api, electron/desktop, electron/serve). Everything with logic is tested there.
import { app, BrowserWindow, dialog, powerMonitor, protocol } from 'electron';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServices, type Services } from '../api/services';
import { setLinuxAutostart } from '../desktop/autostart-linux';
import { dockSync, loginItemPlan, startsHidden } from '../desktop/background';
import { resolveAppRequest } from '../serve/app-protocol';
import { RotatingLogFile } from '../desktop/log-file';
import { NotifyPolicy } from '../desktop/notify-policy';
import { createQuitFlow } from '../desktop/quit-flow';
import { pollingNetworkWatcher, wireReconnectTriggers } from '../desktop/reconnect-triggers';
import { APP_PROTOCOL_PRIVILEGES, APP_SCHEME, securityHeaders, trustedOrigins } from '../serve/security';
import { runTrayAction } from '../desktop/tray-actions';
import { trayRefresher } from '../desktop/tray-input';
import { trayIconState, type TrayAction } from '../desktop/tray-menu';
import { bindIpc, sendEvent } from './ipc';
import { showNotification } from './notifications';
import { SafeStorageSecretStore } from './secrets';
import { createElectronStore } from './store';
import { BurrowTray } from './tray';
import { applySessionPolicies, createMainWindow } from './window';

const here = path.dirname(fileURLToPath(import.meta.url));
const devServer = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;

protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { ...APP_PROTOCOL_PRIVILEGES } }]);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  void main();
}

async function main() {
  let win: BrowserWindow | undefined;

  let ready = false;
  const showWindow = () => {
    if (!ready) return;
    if (!win || win.isDestroyed()) win = openWindow(true);
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  };
  app.on('second-instance', () => showWindow());
  await app.whenReady();

  const userData = app.getPath('userData');
  const resourcesDir = app.isPackaged ? process.resourcesPath : path.join(app.getAppPath(), 'resources');
  const rendererDir = path.join(here, '../renderer');
  const logFile = new RotatingLogFile({ dir: path.join(userData, 'logs') });
  const note = (message: string, level: 'info' | 'warn' | 'error' = 'info') => logFile.write({ time: Date.now(), level, message });

  protocol.handle(APP_SCHEME, async (request) => {
    const r = resolveAppRequest(request.url, rendererDir);
    if (r.status !== 200) return new Response(r.reason, { status: r.status, headers: securityHeaders() });
    try {
      return new Response(await readFile(r.file), { headers: { 'Content-Type': r.mime, ...securityHeaders(devServer) } });
    } catch {
      return new Response('Not found', { status: 404, headers: securityHeaders() });
    }
  });
  applySessionPolicies(trustedOrigins(devServer));

  // Launch at login, in the tray: an autostart entry on Linux, the login item elsewhere (electron/desktop/background.ts).
  const applyLoginItem = (openAtLogin: boolean) => {
    const plan = loginItemPlan({
      platform: process.platform,
      openAtLogin,
      packaged: app.isPackaged,
      execPath: process.execPath,
      appPath: app.getAppPath(),
      appImage: process.env.APPIMAGE,
    });
    if (plan.kind === 'linux-autostart') setLinuxAutostart(plan.enabled, plan.exec);
    else app.setLoginItemSettings(plan.settings);
  };
  // macOS: a Dock icon only while a window is shown; with only the tray, Burrow lives in the menu bar.
  const syncDock = dockSync(process.platform, app.dock, () => BrowserWindow.getAllWindows());

  // Profiles and the encrypted secrets they refer to live side by side (the CLI removes orphaned entries there).
  const configDir = process.env.BURROW_CONFIG_DIR || userData;
  const svc: Services = await createServices({
    configDir,
    secretStore: new SafeStorageSecretStore(configDir),
    createStore: createElectronStore,
    publishStatus: 'desktop',
    settingsChanged: (s) => applyLoginItem(s.launchAtLogin),
    onInternalError: (channel, err) => note(`Internal error in ${channel}: ${(err as Error)?.stack ?? String(err)}`, 'error'),
  });
  for (const w of svc.repo.warnings) note(w.message, 'warn');

  const openWindow = (show: boolean) => {
    const w = createMainWindow({ preload: path.join(here, '../preload/preload.cjs'), show, icon: path.join(resourcesDir, 'icon.png'), devServer });
    w.on('close', (e) => {
      // Closing the window keeps Burrow running in the tray.
      if (!quit.allowed) {
        e.preventDefault();
        w.hide();
      }
    });
    const dock = () => void syncDock();
    w.on('show', dock);
    w.on('hide', dock);
    w.on('minimize', dock);
    w.on('restore', dock);
    w.on('closed', dock);
    return w;
  };

  // Events to every window; a prompt brings the window up.
  const allContents = () => BrowserWindow.getAllWindows().map((w) => w.webContents);
  svc.events.subscribe((event, payload) => {
    sendEvent(allContents(), event, payload);
    if (event === 'prompt') showWindow();
  });
  svc.startStats(() => BrowserWindow.getAllWindows().some((w) => w.isVisible() && !w.isMinimized()));
  bindIpc(svc.dispatcher, trustedOrigins(devServer));

  // Log file: a line per engine event.
  svc.engine.on('log', (entry) => logFile.write(entry));

  // Notifications, rate-limited.
  const policy = new NotifyPolicy({
    enabled: () => svc.repo.getSettings().notifications,
    send: (n) => showNotification(n, showWindow),
  });
  svc.engine.on('state', (id, state) => policy.onState(id, state));

  // The tray, rebuilt on every state or profile change. A failed action is told in a notification.
  const act = (a: TrayAction) => {
    void runTrayAction(a, { dispatch: (c, i) => svc.dispatcher.dispatch(c, i), open: showWindow, quit: () => app.quit() }).then((n) => {
      if (!n) return;
      note(`Tray: ${n.title}: ${n.body}`, 'warn');
      showNotification(n, showWindow);
    });
  };
  const tray = new BurrowTray(resourcesDir, act);
  const refreshTray = trayRefresher({
    document: () => svc.repo.document(),
    stateOf: () => {
      const states = new Map(svc.engine.list().map((f) => [f.id, f.state]));
      return (n) => states.get(n);
    },
    update: (input) => tray.update(input),
  });
  svc.engine.on('state', () => void refreshTray());
  svc.repo.subscribe(() => void refreshTray());
  void refreshTray();
  // For the Playwright smoke test only: what the tray shows.
  if (process.env.BURROW_E2E === '1')
    Object.assign(globalThis, { __burrowTray: () => ({ menu: tray.lastMenu, icon: trayIconState(svc.engine.list().map((f) => f.state)) }) });

  // Sleep and network changes: reconnect without anyone clicking.
  wireReconnectTriggers({ power: powerMonitor, network: pollingNetworkWatcher(), reconnectAll: () => svc.engine.reconnectAll(), log: (m) => note(m) });

  // Quit: ask when forwards run, then stop every forward cleanly.
  const quit = createQuitFlow({
    runningCount: () => svc.runningCount(),
    confirm: async (n) => {
      const r = await dialog.showMessageBox({
        type: 'question',
        buttons: ['Quit and stop forwards', 'Cancel'],
        defaultId: 1,
        cancelId: 1,
        message: `Quit Burrow?`,
        detail: `${n} forward${n === 1 ? ' is' : 's are'} running. Quitting stops ${n === 1 ? 'it' : 'them'}.`,
      });
      return r.response === 0;
    },
    shutdown: () => svc.dispose(),
    exit: () => {
      tray.destroy();
      app.quit();
    },
    log: (m) => note(m),
  });
  app.on('before-quit', (e) => {
    if (quit.allowed) return;
    e.preventDefault();
    void quit.request();
  });
  app.on('window-all-closed', () => {
    /* stay in the tray */
  });
  app.on('activate', () => showWindow());

  const settings = svc.repo.getSettings();
  applyLoginItem(settings.launchAtLogin);
  const hidden = startsHidden({
    platform: process.platform,
    argv: process.argv,
    startHidden: settings.startHidden,
    loginItem: process.platform === 'darwin' ? app.getLoginItemSettings() : undefined,
  });
  win = openWindow(!hidden);
  void syncDock();
  ready = true;
  const failed = await svc.autostart();
  for (const f of failed) note(`Autostart of ${f.name} failed: ${f.message}`, 'warn');
}
