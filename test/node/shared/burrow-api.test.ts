// The one API object (shared/burrow-api.ts): a method per contract channel,
// derived from CHANNELS, on() passing only the payload, desktop where given;
// and every side (the preload, the browser mode, the test harness) builds it
// with that function.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { API_EXTRAS, apiKeys, buildBurrowApi, invokeChannel, methodName, type ApiTransport } from '../../../shared/burrow-api';
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
  it('names a method after each channel', () => {
    expect(methodName('forward.fromPreset')).toBe('forwardFromPreset');
    expect(methodName('state.get')).toBe('stateGet');
    expect(methodName('prompt.answer')).toBe('promptAnswer');
    expect(methodName('export')).toBe('export');
    const names = CHANNELS.map(methodName);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) {
      expect(n).toMatch(/^[a-z][A-Za-z]*$/);
      expect(API_EXTRAS as readonly string[]).not.toContain(n);
    }
  });

  it('has one method per contract channel, on, and desktop only when given; nothing else', () => {
    const { transport } = fakeTransport();
    const web = buildBurrowApi({ channels: CHANNELS, events: EVENTS, transport });
    expect(Object.keys(web).sort()).toEqual(apiKeys(CHANNELS, false).sort());
    expect(Object.keys(web)).not.toContain('invoke');
    expect(Object.keys(web)).toHaveLength(CHANNELS.length + 1);
    const desktop = buildBurrowApi({ channels: CHANNELS, events: EVENTS, transport, desktop: { chooseKeyFile: async () => '/k' } });
    expect(Object.keys(desktop).sort()).toEqual(apiKeys(CHANNELS, true).sort());
    expect(Object.isFrozen(desktop)).toBe(true);
    expect(Object.isFrozen(desktop.desktop)).toBe(true);
    expect(() => {
      (desktop as unknown as Record<string, unknown>).invoke = () => undefined;
    }).toThrow();
  });

  it('sends each method as its channel, with the input as given', async () => {
    const { transport, calls } = fakeTransport();
    const api = buildBurrowApi({ channels: CHANNELS, events: EVENTS, transport });
    expect(await api.forwardStart({ name: 'pop3' })).toEqual({ ok: true, value: { echoed: 'forward.start' } });
    await api.stateGet();
    await api.export({ format: 'json' });
    await invokeChannel(api, 'forward.fromPreset', { presetId: 'pop3', host: 'mail' });
    expect(calls).toEqual([
      { channel: 'forward.start', input: { name: 'pop3' } },
      { channel: 'state.get', input: undefined },
      { channel: 'export', input: { format: 'json' } },
      { channel: 'forward.fromPreset', input: { presetId: 'pop3', host: 'mail' } },
    ]);
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

  it('refuses channel lists whose method names would collide', () => {
    const { transport } = fakeTransport();
    expect(() => buildBurrowApi({ channels: ['forward.start', 'forwardStart' as Channel], events: EVENTS, transport })).toThrow(/Two API methods/);
    expect(() => buildBurrowApi({ channels: ['on' as Channel], events: EVENTS, transport })).toThrow(/Two API methods/);
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
