// The desktop app's native dialogs behind the preload's `desktop` object
// (shared/contract.ts DesktopApi); ipc.ts binds them with the sender check.
import { existsSync } from 'node:fs';
import { BrowserWindow, dialog, type OpenDialogOptions, type WebContents } from 'electron';
import type { DesktopApi } from '../../shared/contract';
import { homeFrom, sshDir } from '../api/key-files';

/** One main-process handler per DesktopApi method, given the calling window's contents. */
export type DesktopHandlers = { [M in keyof DesktopApi]: (sender: WebContents, ...args: Parameters<DesktopApi[M]>) => ReturnType<DesktopApi[M]> };

export const desktopHandlers: DesktopHandlers = {
  async chooseKeyFile(sender) {
    const options: OpenDialogOptions = {
      title: 'Choose a private key',
      defaultPath: existsSync(sshDir()) ? sshDir() : homeFrom(),
      buttonLabel: 'Use this key',
      properties: ['openFile', 'showHiddenFiles', 'dontAddToRecent'],
    };
    const win = BrowserWindow.fromWebContents(sender);
    const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
    return r.canceled ? null : (r.filePaths[0] ?? null);
  },
};
