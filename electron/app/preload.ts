// The preload: exposes exactly one typed object (window.burrow) with invoke over
// the contract's allowlist, on(event) passing only the payload, and `desktop`
// (native dialogs, one fixed channel each). ipcRenderer itself never reaches the page.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { API_GLOBAL, CHANNELS, EVENTS, desktopChannel, ipcChannel, ipcEvent, type BurrowApi, type Channel, type DesktopApi, type EventName } from '../../shared/contract';

const channels = new Set<string>(CHANNELS);
const events = new Set<string>(EVENTS);

const desktop: DesktopApi = {
  chooseKeyFile: () => ipcRenderer.invoke(desktopChannel('chooseKeyFile')),
};

const api: BurrowApi = {
  invoke(channel, input) {
    if (!channels.has(channel)) return Promise.resolve({ ok: false, code: 'USAGE', message: `Unknown request '${String(channel)}'.` });
    return ipcRenderer.invoke(ipcChannel(channel as Channel), input);
  },
  on(event, cb) {
    if (!events.has(event)) throw new Error(`Unknown event '${String(event)}'.`);
    const listener = (_e: IpcRendererEvent, payload: unknown) => cb(payload as never);
    ipcRenderer.on(ipcEvent(event as EventName), listener);
    return () => {
      ipcRenderer.removeListener(ipcEvent(event as EventName), listener);
    };
  },
  desktop: Object.freeze(desktop),
};

contextBridge.exposeInMainWorld(API_GLOBAL, Object.freeze(api));
