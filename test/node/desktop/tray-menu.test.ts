import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  allTrayIconFiles,
  buildTrayMenu,
  trayIconFile,
  trayIconState,
  trayToolTip,
  type TrayForward,
  type TrayItem,
} from '../../../electron/desktop/tray-menu';

const fwd = (id: string, state: TrayForward['state'], extra: Partial<TrayForward> = {}): TrayForward => ({
  id,
  name: id,
  state,
  localAddress: `localhost:${1000 + id.length}`,
  ...extra,
});
const labels = (items: TrayItem[]) => items.map((i) => (i.kind === 'separator' ? '---' : i.label));

describe('tray menu model', () => {
  it('lists every forward as a checkbox with state and local address; click toggles', () => {
    const menu = buildTrayMenu({
      forwards: [fwd('pop3', 'active', { localAddress: 'localhost:1100' }), fwd('db', 'stopped', { localAddress: '127.0.0.1:5432' })],
      presets: [],
      hosts: [],
    });
    expect(menu[0]).toEqual({
      kind: 'checkbox',
      label: 'db — 127.0.0.1:5432 (stopped)',
      checked: false,
      enabled: true,
      action: { type: 'toggle', forwardId: 'db', start: true },
    });
    expect(menu[1]).toEqual({
      kind: 'checkbox',
      label: 'pop3 — localhost:1100 (active)',
      checked: true,
      enabled: true,
      action: { type: 'toggle', forwardId: 'pop3', start: false },
    });
    expect(labels(menu).slice(-3)).toEqual(['---', 'Open Burrow', 'Quit Burrow']);
    expect(menu.at(-1)).toMatchObject({ action: { type: 'quit' } });
    expect(menu.at(-2)).toMatchObject({ action: { type: 'open' } });
  });

  it('shows reconnecting, failing and not-yet-tried states; reconnecting counts as running', () => {
    const menu = buildTrayMenu({
      forwards: [
        fwd('a', 'reconnecting'),
        fwd('b', 'failed'),
        fwd('c', 'active', { destinationFailing: true }),
        fwd('d', 'active', { destinationUntried: true }),
        fwd('e', 'active'),
      ],
      presets: [],
      hosts: [],
    });
    expect(menu[0]).toMatchObject({ label: expect.stringContaining('(reconnecting…)'), checked: true, action: { start: false } });
    expect(menu[1]).toMatchObject({ label: expect.stringContaining('(failed)'), checked: false, action: { start: true } });
    expect(menu[2]).toMatchObject({ label: expect.stringContaining('(destination failing)'), checked: true });
    // As the window's row: active, but nothing has reached the destination yet.
    expect(menu[3]).toMatchObject({ label: expect.stringContaining('(active, destination not yet tried)'), checked: true });
    expect(menu[4]).toMatchObject({ label: expect.stringMatching(/\(active\)$/), checked: true });
  });

  it('puts groups in submenus with start all / stop all', () => {
    const menu = buildTrayMenu({
      forwards: [fwd('x', 'active', { group: 'work' }), fwd('y', 'stopped', { group: 'work' }), fwd('z', 'stopped', { group: 'home' })],
      presets: [],
      hosts: [],
    });
    expect(labels(menu)).toEqual(['home (0/1 running)', 'work (1/2 running)', '---', 'Open Burrow', 'Quit Burrow']);
    const work = menu[1] as Extract<TrayItem, { kind: 'submenu' }>;
    expect(work.items[0]).toEqual({ kind: 'normal', label: 'Start all', enabled: true, action: { type: 'group', group: 'work', start: true } });
    expect(work.items[1]).toEqual({ kind: 'normal', label: 'Stop all', enabled: true, action: { type: 'group', group: 'work', start: false } });
    expect(labels(work.items).slice(3)).toEqual(['x — localhost:1001 (active)', 'y — localhost:1001 (stopped)']);
    const home = menu[0] as Extract<TrayItem, { kind: 'submenu' }>;
    expect(home.items[1]).toMatchObject({ label: 'Stop all', enabled: false });
  });

  it('offers quick presets per host, and says when there is no host', () => {
    const presets = [{ id: 'pop3', label: 'Forward POP3 to localhost:1100' }];
    const menu = buildTrayMenu({
      forwards: [],
      presets,
      hosts: [
        { id: 'h2', name: 'mail' },
        { id: 'h1', name: 'bastion' },
      ],
    });
    expect(labels(menu)).toEqual(['No forwards yet', '---', 'Quick forward', '---', 'Open Burrow', 'Quit Burrow']);
    const quick = menu[2] as Extract<TrayItem, { kind: 'submenu' }>;
    const pop3 = quick.items[0] as Extract<TrayItem, { kind: 'submenu' }>;
    expect(pop3.label).toBe('Forward POP3 to localhost:1100');
    expect(pop3.items).toEqual([
      { kind: 'normal', label: 'via bastion', enabled: true, action: { type: 'preset', presetId: 'pop3', hostId: 'h1' } },
      { kind: 'normal', label: 'via mail', enabled: true, action: { type: 'preset', presetId: 'pop3', hostId: 'h2' } },
    ]);
    const none = buildTrayMenu({ forwards: [], presets, hosts: [] });
    expect((none[2] as Extract<TrayItem, { kind: 'submenu' }>).items[0]).toEqual({
      kind: 'normal',
      label: 'Forward POP3 to localhost:1100 (add a host first)',
      enabled: false,
    });
  });
});

describe('tray icon', () => {
  it('says all off, all healthy, or trouble', () => {
    expect(trayIconState([])).toBe('off');
    expect(trayIconState([{ state: 'stopped' }, { state: 'stopped' }])).toBe('off');
    expect(trayIconState([{ state: 'active' }, { state: 'stopped' }, { state: 'connecting' }])).toBe('healthy');
    expect(trayIconState([{ state: 'active' }, { state: 'reconnecting' }])).toBe('trouble');
    expect(trayIconState([{ state: 'stopped' }, { state: 'failed' }])).toBe('trouble');
    expect(trayIconState([{ state: 'active', destinationFailing: true }])).toBe('trouble');
    expect(trayToolTip([{ state: 'active' }, { state: 'failed' }, { state: 'stopped' }])).toBe('Burrow — 1 of 3 forwards running, 1 need attention');
  });

  it('picks template PNGs on macOS, ICO on Windows, PNG on Linux, and every file exists', () => {
    expect(trayIconFile('healthy', 'darwin')).toBe('tray/tray-healthyTemplate.png');
    expect(trayIconFile('trouble', 'win32')).toBe('tray/tray-trouble.ico');
    expect(trayIconFile('off', 'linux')).toBe('tray/tray-off.png');
    const res = path.resolve(import.meta.dirname, '../../../resources');
    for (const f of [...allTrayIconFiles(), 'icon.png', 'icon.ico']) {
      const file = path.join(res, f);
      expect(existsSync(file), f).toBe(true);
      const head = readFileSync(file).subarray(0, 8);
      if (f.endsWith('.png')) expect(head.toString('latin1', 1, 4), f).toBe('PNG');
      else expect([...head.subarray(0, 4)], f).toEqual([0, 0, 1, 0]);
    }
    // A template image is black: every pixel's colour channels are 0 wherever it is not transparent.
    const png = readFileSync(path.join(res, 'tray/tray-offTemplate.png'));
    expect(png.readUInt32BE(16)).toBe(16); // width
    expect(png[25]).toBe(6); // RGBA
  });
});
