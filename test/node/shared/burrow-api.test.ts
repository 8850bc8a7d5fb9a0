// The one API object (shared/burrow-api.ts): invoke(channel, input) for the
// contract's channels, on() passing only the payload, desktop where given;
// and every side (the preload, the browser mode, the test harness) builds it
// with that function.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { apiKeys, buildBurrowApi, type ApiTransport } from '../../../shared/burrow-api';
import { CHANNELS, EVENTS, type Channel, type EventName, type Result } from '../../../shared/contract';

const root = path.resolve(import.meta.dirname, '../../..');

function fakeTransport() {
  const calls: { channel: Channel; input: unknown }[] = [];
  const listeners = new Map<EventName, Set<(p: unknown) => void>>();
  const transport: ApiTransport = {
    invoke: async (channel, input) => {
      calls.push({ channel, input });
      return { ok: true, value: { echoed: channel } } as Result<unknown>;
    },
    on(event, cb) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(cb);
      return () => void set.delete(cb);
    },
  };
  const emit = (event: EventName, payload: unknown) => listeners.get(event)?.forEach((cb) => cb(payload));
  return { transport, calls, emit, listeners };
}

describe('the API object', () => {
  it('has invoke, on, and desktop only when given; nothing else', () => {
    const { transport } = fakeTransport();
    const web = buildBurrowApi({ channels: CHANNELS, events: EVENTS, transport });
    expect(Object.keys(web).sort()).toEqual(apiKeys(false).sort());
    expect(Object.keys(web)).toEqual(['invoke', 'on']);
    const desktop = buildBurrowApi({ channels: CHANNELS, events: EVENTS, transport, desktop: { chooseKeyFile: async () => '/k' } });
    expect(Object.keys(desktop).sort()).toEqual(apiKeys(true).sort());
    expect(Object.isFrozen(desktop)).toBe(true);
    expect(Object.isFrozen(desktop.desktop)).toBe(true);
    expect(() => {
      (desktop as unknown as Record<string, unknown>).forwardStart = () => undefined;
    }).toThrow();
  });

  it('invoke() sends the channel and the input as given, and refuses a channel the contract lacks', async () => {
    const { transport, calls } = fakeTransport();
    const api = buildBurrowApi({ channels: CHANNELS, events: EVENTS, transport });
    expect(await api.invoke('forward.start', { name: 'pop3' })).toEqual({ ok: true, value: { echoed: 'forward.start' } });
    await api.invoke('state.get');
    await api.invoke('export', { format: 'json' });
    await api.invoke('forward.fromPreset', { presetId: 'pop3', host: 'mail' });
    expect(calls).toEqual([
      { channel: 'forward.start', input: { name: 'pop3' } },
      { channel: 'state.get', input: undefined },
      { channel: 'export', input: { format: 'json' } },
      { channel: 'forward.fromPreset', input: { presetId: 'pop3', host: 'mail' } },
    ]);
    await expect(api.invoke('forward.nope' as Channel, undefined as never)).rejects.toThrow("Unknown channel 'forward.nope'.");
    expect(calls).toHaveLength(4);
  });

  it('on() passes only the payload, unsubscribes, and refuses unknown events', () => {
    const { transport, emit, listeners } = fakeTransport();
    const api = buildBurrowApi({ channels: CHANNELS, events: EVENTS, transport });
    const got: unknown[] = [];
    const off = api.on('state', (p) => got.push(p));
    emit('state', { name: 'pop3', state: { state: 'active' } });
    expect(got).toEqual([{ name: 'pop3', state: { state: 'active' } }]);
    off();
    emit('state', { name: 'pop3', state: { state: 'stopped' } });
    expect(got).toHaveLength(1);
    expect(listeners.get('state')?.size).toBe(0);
    expect(() => api.on('nope' as EventName, () => undefined)).toThrow(/Unknown event 'nope'/);
  });

  it('is built by the same function everywhere: preload, browser mode, test harness', () => {
    const read = (p: string) => readFileSync(path.join(root, p), 'utf8');
    expect(read('electron/app/preload.ts')).toMatch(/buildBurrowApi\(\{\s*channels: CHANNELS,\s*events: EVENTS/);
    expect(read('electron/app/preload.ts')).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer/);
    expect(read('renderer/src/api.ts')).toMatch(/buildBurrowApi\(\{ channels: CHANNELS, events: EVENTS, transport: web\.transport \}\)/);
    expect(read('test/e2e/harness.ts')).toMatch(/shared', 'burrow-api\.ts'/);
    // Type-only imports: the harness runs the file in a page as transpiled, and the sandboxed preload bundles nothing more.
    const runtimeImports = [...read('shared/burrow-api.ts').matchAll(/^\s*import\s+(?!type\b)[^;]*?from\s+['"]([^'"]+)['"]/gm)];
    expect(runtimeImports).toEqual([]);
  });
});
