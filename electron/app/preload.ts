// The preload: exposes exactly one typed object (window.burrow), built by the
// shared buildBurrowApi: invoke(channel, input) for the contract's channels,
// each over its own IPC channel, on(event) passing only the payload, and
// `desktop` (native dialogs, one fixed channel each). ipcRenderer itself never
// reaches the page.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { buildBurrowApi } from '../../shared/burrow-api';
import { API_GLOBAL, CHANNELS, EVENTS, desktopChannel, ipcChannel, ipcEvent, type DesktopApi, type Result } from '../../shared/contract';

const desktop: DesktopApi = {
  chooseKeyFile: () => ipcRenderer.invoke(desktopChannel('chooseKeyFile')),
};

const api = buildBurrowApi({
  channels: CHANNELS,
  events: EVENTS,
  transport: {
    invoke: (channel, input) => ipcRenderer.invoke(ipcChannel(channel), input) as Promise<Result<unknown>>,
    on(event, cb) {
      const listener = (_e: IpcRendererEvent, payload: unknown) => cb(payload);
      ipcRenderer.on(ipcEvent(event), listener);
      return () => {
        ipcRenderer.removeListener(ipcEvent(event), listener);
      };
    },
  },
  desktop,
});

contextBridge.exposeInMainWorld(API_GLOBAL, api);
