// One-click forwards for common services. The local port: the service port when
// it is 1024 or above (no administrator rights needed), else the port + 1000,
// then the next free one. POP3 keeps the 1100 the docs use for 110 (the issue's
// "110 -> 1100" is not port + 1000, which would give 1110): a preset may name
// its preferred local port.
// Pure: the caller passes isFree (electron/profiles/port-probe.ts on Node).
import { BurrowError } from './errors';
import { DEFAULT_LOCAL_BIND, isUnix } from './forward-spec';
import type { Forward, ForwardInput } from './model';

export interface Preset {
  id: string;
  label: string;
  /** The service's port on the destination; absent for the SOCKS proxy. */
  port?: number;
  /** Local port to start from, when the rule above is not the one people know. */
  localPort?: number;
}

export const PRESETS: readonly Preset[] = [
  { id: 'pop3', label: 'POP3', port: 110, localPort: 1100 },
  { id: 'imap', label: 'IMAP', port: 143 },
  { id: 'smtp', label: 'SMTP submission', port: 587 },
  { id: 'http', label: 'HTTP', port: 80 },
  { id: 'https', label: 'HTTPS', port: 443 },
  { id: 'postgres', label: 'PostgreSQL', port: 5432 },
  { id: 'mysql', label: 'MySQL', port: 3306 },
  { id: 'redis', label: 'Redis', port: 6379 },
  { id: 'mongodb', label: 'MongoDB', port: 27017 },
  { id: 'rdp', label: 'RDP', port: 3389 },
  { id: 'vnc', label: 'VNC', port: 5900 },
  { id: 'socks', label: 'SOCKS proxy', localPort: 1080 },
];

export function findPreset(id: string): Preset {
  const p = PRESETS.find((x) => x.id === id.toLowerCase());
  if (!p) throw new BurrowError('NOT_FOUND', `No preset named '${id}'. Presets: ${PRESETS.map((x) => x.id).join(', ')}.`);
  return p;
}

/** The first local port to try: the preset's own, else the service port when >= 1024, else port + 1000. */
export function preferredLocalPort(p: Preset): number {
  if (p.localPort !== undefined) return p.localPort;
  if (p.port === undefined) return 1080;
  return p.port >= 1024 ? p.port : p.port + 1000;
}

/** The port to use instead of a privileged one (below 1024): a preset's choice (110 -> 1100), else port + 1000. */
export function unprivilegedPort(port: number): number {
  if (port >= 1024) return port;
  const preset = PRESETS.find((p) => p.port === port);
  return preset ? preferredLocalPort(preset) : port + 1000;
}

/** The preferred port if free, else the next free one above it. */
export async function chooseLocalPort(p: Preset, isFree: (port: number) => boolean | Promise<boolean>, taken: Iterable<number> = []): Promise<number> {
  const skip = new Set(taken);
  for (let port = preferredLocalPort(p); port <= 65535; port++) {
    if (!skip.has(port) && (await isFree(port))) return port;
  }
  throw new BurrowError('PORT_IN_USE', `No free local port from ${preferredLocalPort(p)} to 65535 for ${p.label}.`);
}

/** The local ports saved forwards listen on: a preset never picks one of them, even while that forward is stopped. */
export function takenLocalPorts(forwards: ReadonlyArray<Forward>): number[] {
  return forwards.flatMap((f) => (f.kind === 'remote' || isUnix(f.listen) ? [] : [f.listen.port]));
}

/** `base` when it is not in `existing`, else base-2, base-3, ... */
export function uniqueName(base: string, existing: Iterable<string>): string {
  const names = new Set(existing);
  let name = base;
  for (let i = 2; names.has(name); i++) name = `${base}-${i}`;
  return name;
}

/** "Forward POP3 to localhost:1100" / "SOCKS proxy on localhost:1080": what menus and lists show for a preset. */
export function presetTitle(p: Preset, localPort: number): string {
  return p.port === undefined ? `${p.label} on localhost:${localPort}` : `Forward ${p.label} to localhost:${localPort}`;
}

export interface PresetChoice {
  /** The saved Host to go through. */
  host: string;
  /** Where the service runs, as seen from that host; default localhost (the host itself). */
  destinationHost?: string;
  /** The forward's name; default PRESET-HOST (made unique against existingNames). An explicit name is kept as given. */
  name?: string;
  /** The local port a label already promised ("Forward POP3 to localhost:1101"); default: chosen by chooseLocalPort. */
  localPort?: number;
}

/**
 * The forward for a preset and a host: step one is the preset, step two the host.
 * "Forward POP3 to localhost:1100" = forwardFromPreset(findPreset('pop3'), { host }, isFree).
 * With `existingNames` (the saved forwards' names), the default name gets -2,
 * -3, ... when taken, so that the same preset can be added twice: the window,
 * the tray and `burrow preset` all behave this way.
 */
export async function forwardFromPreset(
  p: Preset,
  choice: PresetChoice,
  isFree: (port: number) => boolean | Promise<boolean>,
  taken: Iterable<number> = [],
  existingNames: Iterable<string> = [],
): Promise<ForwardInput> {
  const port = choice.localPort ?? (await chooseLocalPort(p, isFree, taken));
  const name = choice.name ?? uniqueName(`${p.id}-${choice.host}`, existingNames);
  const listen = { host: DEFAULT_LOCAL_BIND, port };
  if (p.port === undefined) return { name, kind: 'dynamic', listen, host: choice.host, tags: ['preset'] };
  return { name, kind: 'local', listen, target: { host: choice.destinationHost ?? 'localhost', port: p.port }, host: choice.host, tags: ['preset'] };
}
