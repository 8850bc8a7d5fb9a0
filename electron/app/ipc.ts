// Binds the dispatcher to ipcMain.handle, one handler per contract channel,
// after checking that the sender is the app's own top frame.
import { ipcMain, type WebContents } from 'electron';
import { CHANNELS, ipcChannel, ipcEvent, type EventName, type Events } from '../../shared/contract';
import type { Dispatcher } from '../api/dispatcher';
import { isTrustedSender } from '../api/sender';

export function bindIpc(dispatcher: Dispatcher, trustedOrigins: string[]): () => void {
  for (const channel of CHANNELS) {
    ipcMain.handle(ipcChannel(channel), (event, input: unknown) => {
      const frame = event.senderFrame;
      const trusted = isTrustedSender(frame ? { url: frame.url, isTopFrame: frame.parent === null } : null, trustedOrigins);
      if (!trusted) return { ok: false, code: 'USAGE', message: 'Requests are only accepted from the Burrow window.' };
      return dispatcher.dispatch(channel, input);
    });
  }
  return () => CHANNELS.forEach((c) => ipcMain.removeHandler(ipcChannel(c)));
}

export function sendEvent<E extends EventName>(targets: WebContents[], event: E, payload: Events[E]): void {
  for (const wc of targets) if (!wc.isDestroyed()) wc.send(ipcEvent(event), payload);
}
