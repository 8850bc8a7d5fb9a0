// Binds the dispatcher to ipcMain.handle, one handler per contract channel,
// and the desktop-only extras (native dialogs), after checking that the sender
// is the app's own top frame.
import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { CHANNELS, DESKTOP_METHODS, desktopChannel, ipcChannel, ipcEvent, type EventName, type Events } from '../../shared/contract';
import type { Dispatcher } from '../api/dispatcher';
import { isTrustedSender } from '../api/sender';
import { desktopHandlers } from './dialogs';

function fromTrustedFrame(event: IpcMainInvokeEvent, trustedOrigins: string[]): boolean {
  const frame = event.senderFrame;
  return isTrustedSender(frame ? { url: frame.url, isTopFrame: frame.parent === null } : null, trustedOrigins);
}

export function bindIpc(dispatcher: Dispatcher, trustedOrigins: string[]): () => void {
  for (const channel of CHANNELS) {
    ipcMain.handle(ipcChannel(channel), (event, input: unknown) => {
      if (!fromTrustedFrame(event, trustedOrigins)) return { ok: false, code: 'USAGE', message: 'Requests are only accepted from the Burrow window.' };
      return dispatcher.dispatch(channel, input);
    });
  }
  for (const method of DESKTOP_METHODS) {
    ipcMain.handle(desktopChannel(method), (event) => (fromTrustedFrame(event, trustedOrigins) ? desktopHandlers[method](event.sender) : null));
  }
  return () => {
    CHANNELS.forEach((c) => ipcMain.removeHandler(ipcChannel(c)));
    DESKTOP_METHODS.forEach((m) => ipcMain.removeHandler(desktopChannel(m)));
  };
}

export function sendEvent<E extends EventName>(targets: WebContents[], event: E, payload: Events[E]): void {
  for (const wc of targets) if (!wc.isDestroyed()) wc.send(ipcEvent(event), payload);
}
