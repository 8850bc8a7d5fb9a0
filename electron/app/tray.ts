// The tray: its icon says the overall state; its menu is built from the pure
// model in electron/desktop/tray-menu.ts and rebuilt on every change.
import { Menu, Tray, nativeImage, type MenuItemConstructorOptions } from 'electron';
import path from 'node:path';
import { buildTrayMenu, trayIconFile, trayIconState, trayToolTip, type TrayAction, type TrayInput, type TrayItem } from '../desktop/tray-menu';

function toTemplate(items: TrayItem[], act: (a: TrayAction) => void): MenuItemConstructorOptions[] {
  return items.map((i): MenuItemConstructorOptions => {
    switch (i.kind) {
      case 'separator':
        return { type: 'separator' };
      case 'submenu':
        return { label: i.label, submenu: toTemplate(i.items, act) };
      case 'checkbox':
        return { type: 'checkbox', label: i.label, checked: i.checked, enabled: i.enabled, toolTip: i.toolTip, click: () => act(i.action) };
      case 'normal':
        return { label: i.label, enabled: i.enabled, click: i.action ? () => act(i.action!) : undefined };
    }
  });
}

export class BurrowTray {
  private tray: Tray;
  private iconState = '';
  /** The last menu model (read by the smoke test). */
  lastMenu: TrayItem[] = [];

  constructor(
    private resourcesDir: string,
    private act: (a: TrayAction) => void,
  ) {
    this.tray = new Tray(this.icon('off'));
    this.iconState = 'off';
    this.tray.on('click', () => act({ type: 'open' }));
  }

  private icon(state: ReturnType<typeof trayIconState>) {
    const img = nativeImage.createFromPath(path.join(this.resourcesDir, trayIconFile(state, process.platform)));
    if (process.platform === 'darwin') img.setTemplateImage(true);
    return img;
  }

  update(input: TrayInput): void {
    // A refresh started before quit can finish after destroy(); Electron throws on a destroyed tray.
    if (this.tray.isDestroyed()) return;
    const state = trayIconState(input.forwards);
    if (state !== this.iconState) {
      this.tray.setImage(this.icon(state));
      this.iconState = state;
    }
    this.tray.setToolTip(trayToolTip(input.forwards));
    this.lastMenu = buildTrayMenu(input);
    this.tray.setContextMenu(Menu.buildFromTemplate(toTemplate(this.lastMenu, this.act)));
  }

  destroy(): void {
    this.tray.destroy();
  }
}
