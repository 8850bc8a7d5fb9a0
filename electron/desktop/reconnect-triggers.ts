// Tunnels come back without anyone clicking: on resume from sleep, on unlock, and
// when the network changes, the engine's reconnectAll() runs (once per burst of
// events). Electron's powerMonitor and a plain-Node network watcher sit behind
// small interfaces so that this is tested under Node.
import os from 'node:os';

/** The part of Electron's powerMonitor used here. */
export interface PowerEvents {
  on(event: 'resume' | 'unlock-screen', listener: () => void): unknown;
  off(event: 'resume' | 'unlock-screen', listener: () => void): unknown;
}

export interface NetworkWatcher {
  /** Calls back when the machine's network addresses change; returns an unsubscribe. */
  onChange(cb: (online: boolean) => void): () => void;
}

export interface ReconnectTriggerOptions {
  power?: PowerEvents;
  network?: NetworkWatcher;
  reconnectAll: () => void;
  /** Events closer together than this cause one reconnect (ms). */
  debounceMs?: number;
  log?: (message: string) => void;
}

export function wireReconnectTriggers(opts: ReconnectTriggerOptions): () => void {
  const debounceMs = opts.debounceMs ?? 1_500;
  let timer: NodeJS.Timeout | undefined;
  const reasons = new Set<string>();
  const trigger = (reason: string) => {
    reasons.add(reason);
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      opts.log?.(`Reconnecting every session (${[...reasons].join(', ')}).`);
      reasons.clear();
      opts.reconnectAll();
    }, debounceMs);
  };
  const onResume = () => trigger('resumed from sleep');
  const onUnlock = () => trigger('screen unlocked');
  opts.power?.on('resume', onResume);
  opts.power?.on('unlock-screen', onUnlock);
  const offNetwork = opts.network?.onChange((online) => {
    if (online) trigger('network changed');
    else opts.log?.('The network went away; tunnels reconnect when it is back.');
  });
  return () => {
    if (timer) clearTimeout(timer);
    opts.power?.off('resume', onResume);
    opts.power?.off('unlock-screen', onUnlock);
    offNetwork?.();
  };
}

export type InterfacesReader = () => NodeJS.Dict<os.NetworkInterfaceInfo[]>;

/** The external addresses in use, as one comparable string. */
export function networkSignature(read: InterfacesReader = os.networkInterfaces): string {
  const addrs: string[] = [];
  for (const [name, list] of Object.entries(read())) {
    for (const a of list ?? []) if (!a.internal) addrs.push(`${name}/${a.address}`);
  }
  return addrs.sort().join(',');
}

/** Polls the network interfaces (Electron has no network-change event in main). */
export function pollingNetworkWatcher(opts: { intervalMs?: number; read?: InterfacesReader } = {}): NetworkWatcher {
  return {
    onChange(cb) {
      let last = networkSignature(opts.read);
      const t = setInterval(() => {
        const now = networkSignature(opts.read);
        if (now === last) return;
        last = now;
        cb(now !== '');
      }, opts.intervalMs ?? 5_000);
      t.unref?.();
      return () => clearInterval(t);
    },
  };
}
