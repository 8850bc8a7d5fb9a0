// The renderer's store under a stats tick: only forwards whose numbers moved
// wake their subscribers, so 200 rows do not re-render every second.
import { describe, expect, it } from 'vitest';
import type { ForwardView, Snapshot } from '../../../shared/contract';
import { Store } from '../../../renderer/src/store';

const view = (name: string): ForwardView => ({
  forward: { name, kind: 'local', listen: { host: '127.0.0.1', port: 1000 }, target: { host: 'h', port: 1 }, host: 'box', autostart: false, tags: [] },
  state: { state: 'active', bound: { host: '127.0.0.1', port: 1000 }, destination: { status: 'reachable' } },
  stats: { openConnections: 0, totalConnections: 0, bytesIn: 0, bytesOut: 0 },
  summary: '',
  sshCommand: '',
});

function snapshot(n: number): Snapshot {
  return {
    hosts: [],
    forwards: Array.from({ length: n }, (_, i) => view(`f${i}`)),
    settings: { launchAtLogin: false, startHidden: false, notifications: true, keepalive: { interval: 15, countMax: 3 } },
    warnings: [],
    secretStoreAvailable: false,
  };
}

describe('renderer store', () => {
  it('wakes only the rows whose stats changed on a tick of 200 forwards', () => {
    const store = new Store();
    store.setSnapshot(snapshot(200));
    const woken: string[] = [];
    let listWoken = 0;
    for (let i = 0; i < 200; i++) store.subscribe(`live:f${i}`, () => woken.push(`f${i}`));
    store.subscribe('snapshot', () => listWoken++);
    store.subscribe('states', () => listWoken++);

    const zero = { openConnections: 0, totalConnections: 0, bytesIn: 0, bytesOut: 0 };
    const all = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`f${i}`, zero]));
    store.applyStats({ time: 1000, stats: { ...all, f7: { openConnections: 1, totalConnections: 1, bytesIn: 500, bytesOut: 100 } } });
    expect(woken).toEqual(['f7']);
    expect(listWoken).toBe(0);
    expect(store.getLive('f7')?.rates.at(-1)).toMatchObject({ in: 500, out: 100 });

    // f7 idles: its sparkline still moves until the minute of history is flat again.
    woken.length = 0;
    store.applyStats({ time: 2000, stats: { ...all, f7: { openConnections: 0, totalConnections: 1, bytesIn: 500, bytesOut: 100 } } });
    expect(woken).toEqual(['f7']);
    expect(store.getLive('f3')?.rates).toEqual([]);
  });

  it('a state change wakes that row and the list filter, nothing else', () => {
    const store = new Store();
    store.setSnapshot(snapshot(3));
    const woken: string[] = [];
    for (const n of ['f0', 'f1', 'f2']) store.subscribe(`live:${n}`, () => woken.push(n));
    store.subscribe('states', () => woken.push('states'));
    const before = store.states;
    store.setState('f1', { state: 'failed', reason: { code: 'DEST_REFUSED', message: 'refused' } });
    expect(woken).toEqual(['f1', 'states']);
    expect(store.states).not.toBe(before);
    expect(store.getLive('f0')).toBe(store.getLive('f0'));
  });
});
