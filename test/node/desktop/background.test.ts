// Life in the background without Electron: the macOS Dock icon follows the
// windows (hidden while only the tray is shown), launch at login is registered
// the way each platform understands "start in the tray", and a login launch on
// macOS starts hidden.
import { describe, expect, it } from 'vitest';
import { dockShouldShow, dockSync, loginItemPlan, startsHidden, type WindowLike } from '../../../electron/desktop/background';

const win = (s: Partial<{ destroyed: boolean; visible: boolean; minimized: boolean }>): WindowLike => ({
  isDestroyed: () => !!s.destroyed,
  isVisible: () => !!s.visible,
  isMinimized: () => !!s.minimized,
});

function fakeDock(visible = true) {
  const calls: string[] = [];
  return {
    calls,
    dock: {
      isVisible: () => visible,
      hide: () => {
        calls.push('hide');
        visible = false;
      },
      show: async () => {
        calls.push('show');
        visible = true;
      },
    },
  };
}

describe('the Dock icon (macOS)', () => {
  it('shows while a window is on screen or minimised to the Dock, not with only the tray', () => {
    expect(dockShouldShow([])).toBe(false);
    expect(dockShouldShow([win({ visible: false })])).toBe(false);
    expect(dockShouldShow([win({ visible: true })])).toBe(true);
    expect(dockShouldShow([win({ minimized: true })])).toBe(true);
    expect(dockShouldShow([win({ visible: true, destroyed: true })])).toBe(false);
  });

  it('hides when the last window is hidden, shows again when one opens; only on macOS, only on change', async () => {
    let windows = [win({ visible: true })];
    const { dock, calls } = fakeDock(true);
    const sync = dockSync('darwin', dock, () => windows);
    await sync();
    expect(calls).toEqual([]);
    windows = [win({ visible: false })]; // the window was closed into the tray
    await sync();
    await sync();
    expect(calls).toEqual(['hide']);
    windows = [win({ visible: true })]; // "Open Burrow" from the tray
    await sync();
    expect(calls).toEqual(['hide', 'show']);

    for (const platform of ['linux', 'win32']) {
      const other = fakeDock(true);
      await dockSync(platform, other.dock, () => [])();
      expect(other.calls).toEqual([]);
    }
    await expect(dockSync('darwin', undefined, () => [])()).resolves.toBeUndefined();
  });
});

describe('launch at login', () => {
  const base = { openAtLogin: true, packaged: true, execPath: '/opt/Burrow/burrow', appPath: '/opt/Burrow/resources/app.asar' };

  it('macOS: openAsHidden (login-item arguments are Windows only)', () => {
    expect(loginItemPlan({ ...base, platform: 'darwin' })).toEqual({ kind: 'login-item', settings: { openAtLogin: true, openAsHidden: true } });
    expect(loginItemPlan({ ...base, platform: 'darwin', openAtLogin: false })).toEqual({
      kind: 'login-item',
      settings: { openAtLogin: false, openAsHidden: true },
    });
  });

  it('Windows: the login item runs Burrow with --hidden (and the app folder when unpackaged)', () => {
    expect(loginItemPlan({ ...base, platform: 'win32' })).toEqual({
      kind: 'login-item',
      settings: { openAtLogin: true, path: base.execPath, args: ['--hidden'] },
    });
    expect(loginItemPlan({ ...base, platform: 'win32', packaged: false })).toEqual({
      kind: 'login-item',
      settings: { openAtLogin: true, path: base.execPath, args: [base.appPath, '--hidden'] },
    });
  });

  it("Linux: the autostart entry as before (the AppImage's own path when run from one)", () => {
    expect(loginItemPlan({ ...base, platform: 'linux' })).toEqual({ kind: 'linux-autostart', enabled: true, exec: [base.execPath, '--hidden'] });
    expect(loginItemPlan({ ...base, platform: 'linux', appImage: '/home/a/Burrow.AppImage' })).toEqual({
      kind: 'linux-autostart',
      enabled: true,
      exec: ['/home/a/Burrow.AppImage', '--hidden'],
    });
    expect(loginItemPlan({ ...base, platform: 'linux', packaged: false, openAtLogin: false })).toEqual({
      kind: 'linux-autostart',
      enabled: false,
      exec: [base.execPath, base.appPath, '--hidden'],
    });
  });

  it('a launch starts in the tray: the setting, --hidden, or a macOS login launch', () => {
    expect(startsHidden({ platform: 'linux', argv: ['burrow'], startHidden: false })).toBe(false);
    expect(startsHidden({ platform: 'linux', argv: ['burrow', '--hidden'], startHidden: false })).toBe(true);
    expect(startsHidden({ platform: 'win32', argv: ['burrow'], startHidden: true })).toBe(true);
    expect(startsHidden({ platform: 'darwin', argv: ['Burrow'], startHidden: false, loginItem: { wasOpenedAsHidden: true } })).toBe(true);
    // macOS 13 and up no longer report wasOpenedAsHidden: a login launch is a background launch.
    expect(startsHidden({ platform: 'darwin', argv: ['Burrow'], startHidden: false, loginItem: { wasOpenedAtLogin: true, wasOpenedAsHidden: false } })).toBe(
      true,
    );
    expect(startsHidden({ platform: 'darwin', argv: ['Burrow'], startHidden: false, loginItem: { wasOpenedAtLogin: false, wasOpenedAsHidden: false } })).toBe(
      false,
    );
  });
});
