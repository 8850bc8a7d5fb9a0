// The main window: hardened (electron/serve/security.ts), loaded from burrow://app/,
// navigation and new windows blocked, https links to the system browser.
import { BrowserWindow, shell, session } from 'electron';
import { allowNavigation, allowPermission, externalLink, windowOptions, APP_ENTRY } from '../serve/security';

export function applySessionPolicies(trusted: string[]): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_wc, permission, callback, details) => callback(allowPermission(permission, details.requestingUrl, trusted)));
  ses.setPermissionCheckHandler((_wc, permission, requestingOrigin) => allowPermission(permission, requestingOrigin, trusted));
}

export function createMainWindow(opts: { preload: string; show: boolean; icon?: string; devServer?: string }): BrowserWindow {
  const win = new BrowserWindow(windowOptions(opts.preload, { show: opts.show, icon: opts.icon }));
  const wc = win.webContents;
  const block = (e: { preventDefault(): void }, url: string) => {
    if (!allowNavigation(url)) e.preventDefault();
  };
  wc.on('will-navigate', block);
  wc.on('will-redirect', block);
  wc.on('will-frame-navigate', (e) => block(e, e.url));
  wc.on('will-attach-webview', (e) => e.preventDefault());
  wc.setWindowOpenHandler(({ url }) => {
    const d = externalLink(url);
    if (d.action === 'open-external') void shell.openExternal(d.url);
    return { action: 'deny' };
  });
  void win.loadURL(opts.devServer ?? APP_ENTRY);
  return win;
}
