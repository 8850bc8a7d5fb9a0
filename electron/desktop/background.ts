// Life in the background, as decisions without Electron: when macOS shows the
// Dock icon, how launch at login is registered on each platform, and whether a
// launch starts in the tray. electron/app/main.ts only applies them.

/** What the Dock decision needs of a window (an Electron BrowserWindow fits). */
export interface WindowLike {
  isDestroyed(): boolean;
  isVisible(): boolean;
  isMinimized(): boolean;
}

/** What it needs of app.dock (macOS; undefined elsewhere). */
export interface DockLike {
  hide(): void;
  show(): Promise<void> | void;
  isVisible(): boolean;
}

/**
 * The Dock icon shows while a window is on screen or minimised into the Dock;
 * with only the tray left, Burrow is a menu bar app and the Dock icon goes.
 */
export function dockShouldShow(windows: WindowLike[]): boolean {
  return windows.some((w) => !w.isDestroyed() && (w.isVisible() || w.isMinimized()));
}

/**
 * Returns sync(): call it whenever a window shows, hides, minimises, restores or
 * closes. It shows or hides the Dock icon only on macOS, and only when that
 * changes something.
 */
export function dockSync(platform: string, dock: DockLike | undefined, windows: () => WindowLike[]): () => Promise<void> {
  return async () => {
    if (platform !== 'darwin' || !dock) return;
    const show = dockShouldShow(windows());
    if (show === dock.isVisible()) return;
    if (show) await dock.show();
    else dock.hide();
  };
}

export interface LoginItemContext {
  platform: string;
  openAtLogin: boolean;
  /** app.isPackaged: unpackaged runs need the app folder as the first argument. */
  packaged: boolean;
  execPath: string;
  appPath: string;
  /** The AppImage's own path when run from one (Linux). */
  appImage?: string;
}

export type LoginItemPlan =
  /** Linux has no login-item API: an XDG autostart entry running this command (electron/desktop/autostart-linux.ts). */
  | { kind: 'linux-autostart'; enabled: boolean; exec: string[] }
  /** app.setLoginItemSettings(settings) on macOS and Windows. */
  | { kind: 'login-item'; settings: { openAtLogin: boolean; openAsHidden?: boolean; path?: string; args?: string[] } };

/**
 * How "launch at login, in the tray" is registered: Linux's autostart entry
 * and Windows' login item pass --hidden; macOS ignores arguments there and has
 * openAsHidden instead (up to macOS 12; later ones are told apart with
 * wasOpenedAtLogin, see startsHidden).
 */
export function loginItemPlan(c: LoginItemContext): LoginItemPlan {
  const hiddenArgs = c.packaged ? ['--hidden'] : [c.appPath, '--hidden'];
  if (c.platform === 'linux') {
    const exe = c.appImage || c.execPath;
    return { kind: 'linux-autostart', enabled: c.openAtLogin, exec: c.packaged ? [exe, '--hidden'] : [exe, c.appPath, '--hidden'] };
  }
  if (c.platform === 'darwin') return { kind: 'login-item', settings: { openAtLogin: c.openAtLogin, openAsHidden: true } };
  return { kind: 'login-item', settings: { openAtLogin: c.openAtLogin, path: c.execPath, args: hiddenArgs } };
}

export interface LaunchContext {
  platform: string;
  argv: string[];
  /** The "start hidden" setting. */
  startHidden: boolean;
  /** app.getLoginItemSettings() on macOS. */
  loginItem?: { wasOpenedAtLogin?: boolean; wasOpenedAsHidden?: boolean };
}

/** Whether this launch opens no window (only the tray): the setting, --hidden, or a macOS login launch. */
export function startsHidden(c: LaunchContext): boolean {
  if (c.startHidden || c.argv.includes('--hidden')) return true;
  return c.platform === 'darwin' && !!(c.loginItem?.wasOpenedAsHidden || c.loginItem?.wasOpenedAtLogin);
}
