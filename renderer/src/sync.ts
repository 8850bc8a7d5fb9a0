// Keeps the store in step with the main process: the first snapshot, the
// pending prompts, and every event after that.
import { api, call, errorMessage } from './api';
import { store } from './store';

let refreshing: Promise<void> | null = null;
let again = false;

/** Reloads hosts, forwards and settings (coalesced: at most one request in flight, one queued). */
export function refresh(): Promise<void> {
  if (refreshing) {
    again = true;
    return refreshing;
  }
  refreshing = (async () => {
    do {
      again = false;
      try {
        store.setSnapshot(await call('state.get', {}));
      } catch (e) {
        store.setLoadError(errorMessage(e));
      }
    } while (again);
  })().finally(() => (refreshing = null));
  return refreshing;
}

export function startSync(): () => void {
  const offs = [
    api.on('state', (e) => store.setState(e.name, e.state)),
    api.on('stats', (e) => store.applyStats(e)),
    api.on('log', (e) => store.addLog(e)),
    api.on('prompt', (p) => store.addPrompt(p)),
    api.on('prompt.closed', (c) => store.closePrompt(c.id)),
    api.on('profiles', () => {
      void refresh();
      void loadPrompts();
    }),
  ];
  void refresh();
  void loadPrompts();
  return () => offs.forEach((off) => off());
}

async function loadPrompts() {
  const r = await api.invoke('prompt.pending');
  if (r.ok) store.setPrompts(r.value);
}
