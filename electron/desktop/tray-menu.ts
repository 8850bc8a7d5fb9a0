// The tray's menu and icon as pure functions of state; electron/app/tray.ts turns
// the model into a Menu. Rebuilt on every state change.
import { isRunning, type ForwardStateName } from '../../shared/tunnel-state';

export interface TrayForward {
  id: string;
  name: string;
  group?: string;
  state: ForwardStateName;
  /** Where it listens, as a person reads it: "localhost:1100". */
  localAddress: string;
  /** SSH is up but the destination refuses. */
  destinationFailing?: boolean;
  /** Active, and nothing has reached its destination yet. */
  destinationUntried?: boolean;
}

export interface TrayPreset {
  id: string;
  /** "Forward POP3 to localhost:1100" */
  label: string;
  /** The local port the label names; the forward made from the menu uses it. */
  localPort?: number;
}

export interface TrayHost {
  id: string;
  name: string;
}

export interface TrayInput {
  forwards: TrayForward[];
  presets: TrayPreset[];
  hosts: TrayHost[];
}

export type TrayAction =
  | { type: 'toggle'; forwardId: string; start: boolean }
  | { type: 'group'; group: string; start: boolean }
  | { type: 'preset'; presetId: string; hostId: string; localPort?: number; label?: string }
  | { type: 'open' }
  | { type: 'quit' };

export type TrayItem =
  | { kind: 'checkbox'; label: string; checked: boolean; enabled: boolean; action: TrayAction; toolTip?: string }
  | { kind: 'normal'; label: string; enabled: boolean; action?: TrayAction }
  | { kind: 'separator' }
  | { kind: 'submenu'; label: string; items: TrayItem[] };

export type TrayIconState = 'off' | 'healthy' | 'trouble';

const STATE_LABEL: Record<ForwardStateName, string> = {
  stopped: 'stopped',
  connecting: 'connecting…',
  active: 'active',
  reconnecting: 'reconnecting…',
  failed: 'failed',
};

export function forwardLabel(f: TrayForward): string {
  const state =
    f.state !== 'active'
      ? STATE_LABEL[f.state]
      : f.destinationFailing
        ? 'destination failing'
        : f.destinationUntried
          ? 'active, destination not yet tried'
          : STATE_LABEL.active;
  return `${f.name} — ${f.localAddress} (${state})`;
}

function forwardItem(f: TrayForward): TrayItem {
  return {
    kind: 'checkbox',
    label: forwardLabel(f),
    checked: isRunning(f.state),
    enabled: true,
    action: { type: 'toggle', forwardId: f.id, start: !isRunning(f.state) },
  };
}

const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);

export function buildTrayMenu(input: TrayInput): TrayItem[] {
  const items: TrayItem[] = [];
  const ungrouped = input.forwards.filter((f) => !f.group).sort(byName);
  const groups = new Map<string, TrayForward[]>();
  for (const f of input.forwards) if (f.group) groups.set(f.group, [...(groups.get(f.group) ?? []), f]);

  if (input.forwards.length === 0) items.push({ kind: 'normal', label: 'No forwards yet', enabled: false });
  for (const f of ungrouped) items.push(forwardItem(f));
  for (const group of [...groups.keys()].sort((a, b) => a.localeCompare(b))) {
    const members = groups.get(group)!.sort(byName);
    const running = members.filter((f) => isRunning(f.state)).length;
    items.push({
      kind: 'submenu',
      label: `${group} (${running}/${members.length} running)`,
      items: [
        { kind: 'normal', label: 'Start all', enabled: running < members.length, action: { type: 'group', group, start: true } },
        { kind: 'normal', label: 'Stop all', enabled: running > 0, action: { type: 'group', group, start: false } },
        { kind: 'separator' },
        ...members.map(forwardItem),
      ],
    });
  }

  if (input.presets.length > 0) {
    items.push({ kind: 'separator' });
    const hosts = [...input.hosts].sort(byName);
    items.push({
      kind: 'submenu',
      label: 'Quick forward',
      items: input.presets.map((p): TrayItem =>
        hosts.length === 0
          ? { kind: 'normal', label: `${p.label} (add a host first)`, enabled: false }
          : {
              kind: 'submenu',
              label: p.label,
              items: hosts.map((h): TrayItem => ({
                kind: 'normal',
                label: `via ${h.name}`,
                enabled: true,
                action: { type: 'preset', presetId: p.id, hostId: h.id, ...(p.localPort !== undefined ? { localPort: p.localPort, label: p.label } : {}) },
              })),
            },
      ),
    });
  }

  items.push({ kind: 'separator' });
  items.push({ kind: 'normal', label: 'Open Burrow', enabled: true, action: { type: 'open' } });
  items.push({ kind: 'normal', label: 'Quit Burrow', enabled: true, action: { type: 'quit' } });
  return items;
}

/** All off; all running ones healthy; or something reconnecting, failing or failed. */
export function trayIconState(forwards: Pick<TrayForward, 'state' | 'destinationFailing'>[]): TrayIconState {
  if (forwards.some((f) => f.state === 'reconnecting' || f.state === 'failed' || (f.state === 'active' && f.destinationFailing))) return 'trouble';
  if (forwards.some((f) => isRunning(f.state))) return 'healthy';
  return 'off';
}

export function trayToolTip(forwards: Pick<TrayForward, 'state' | 'destinationFailing'>[]): string {
  const running = forwards.filter((f) => isRunning(f.state)).length;
  const trouble = forwards.filter((f) => f.state === 'reconnecting' || f.state === 'failed' || (f.state === 'active' && f.destinationFailing)).length;
  return `Burrow — ${running} of ${forwards.length} forwards running${trouble ? `, ${trouble} need attention` : ''}`;
}

export type Platform = 'linux' | 'darwin' | 'win32';

/**
 * The icon file (relative to the resources folder) for a state and platform.
 * macOS uses template images (black + alpha, "Template" suffix) so that the menu
 * bar tints them; Windows uses .ico; Linux plain PNG.
 */
export function trayIconFile(state: TrayIconState, platform: Platform | string): string {
  if (platform === 'darwin') return `tray/tray-${state}Template.png`;
  if (platform === 'win32') return `tray/tray-${state}.ico`;
  return `tray/tray-${state}.png`;
}

/** Every file trayIconFile can name, for packaging checks. */
export function allTrayIconFiles(): string[] {
  const states: TrayIconState[] = ['off', 'healthy', 'trouble'];
  return states.flatMap((s) => [
    `tray/tray-${s}.png`,
    `tray/tray-${s}@2x.png`,
    `tray/tray-${s}Template.png`,
    `tray/tray-${s}Template@2x.png`,
    `tray/tray-${s}.ico`,
  ]);
}
