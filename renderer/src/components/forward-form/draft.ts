// The forward form's draft: one flat field per box, converted at the form's
// edge only to and from the nested forward ({ listen, target }).
import { DEFAULT_LOCAL_BIND, DEFAULT_REMOTE_BIND, isUnix, type ForwardKind } from '../../../../shared/forward-spec';
import type { Forward, ForwardInput } from '../../../../shared/model';
import type { FormPart } from '../../hooks/useForm';

/**
 * Which ends are Unix sockets (local and remote forwards; see shared/forward-spec.ts):
 * 'tcp' port to host:port, 'toSocket' port to a socket, 'fromSocket' socket to host:port.
 */
export type Variant = 'tcp' | 'toSocket' | 'fromSocket';

export interface Draft {
  name: string;
  kind: ForwardKind;
  variant: Variant;
  host: string;
  bindAddress: string;
  port: string;
  listenSocket: string;
  destinationHost: string;
  destinationPort: string;
  destinationSocket: string;
  group: string;
  /** Comma separated. */
  tags: string;
  autostart: boolean;
  healthCheckAtStart: boolean;
  notes: string;
  /** Dynamic forwards only: the SOCKS login. */
  socksUser: string;
  /** Typed here; empty keeps a stored one (editing) or means "ask when it starts". */
  socksPassword: string;
}

export type PartProps = FormPart<Draft>;

export const num = (s: string): number | string | undefined => (s.trim() === '' ? undefined : /^\d+$/.test(s.trim()) ? Number(s.trim()) : s);
const text = (s: string) => (s.trim() === '' ? undefined : s.trim());

/** The variant in effect: a SOCKS forward has none (a port here, no destination). */
export const variantOf = (d: Draft): Variant => (d.kind === 'dynamic' ? 'tcp' : d.variant);

/** "mail, work" -> ["mail", "work"]: what the Tags field holds, for the schema to judge. */
function splitTags(s: string): string[] {
  return [
    ...new Set(
      s
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean),
    ),
  ];
}

export function toDraft(f: Partial<ForwardInput>, defaultHost: string): Draft {
  const listen = f.listen;
  const target = f.kind !== 'dynamic' ? f.target : undefined;
  const tcpListen = listen && !isUnix(listen) ? listen : undefined;
  const tcpTarget = target && !isUnix(target) ? target : undefined;
  const defaultBind = f.kind === 'remote' ? DEFAULT_REMOTE_BIND : DEFAULT_LOCAL_BIND;
  return {
    name: f.name ?? '',
    kind: f.kind ?? 'local',
    variant: listen && isUnix(listen) ? 'fromSocket' : target && isUnix(target) ? 'toSocket' : 'tcp',
    host: f.host ?? defaultHost,
    // The default bind address shows as an empty box, as before.
    bindAddress: tcpListen && tcpListen.host !== defaultBind ? tcpListen.host || '*' : '',
    port: tcpListen ? String(tcpListen.port) : '',
    listenSocket: listen && isUnix(listen) ? listen.path : '',
    destinationHost: tcpTarget?.host ?? '',
    destinationPort: tcpTarget ? String(tcpTarget.port) : '',
    destinationSocket: target && isUnix(target) ? target.path : '',
    group: f.group ?? '',
    tags: (f.tags ?? []).join(', '),
    autostart: f.autostart ?? false,
    healthCheckAtStart: f.healthCheckAtStart ?? false,
    notes: f.notes ?? '',
    socksUser: f.socksUser ?? '',
    socksPassword: '',
  };
}

export function toInput(d: Draft, base: Partial<ForwardInput>): Record<string, unknown> {
  const variant = variantOf(d);
  const out: Record<string, unknown> = {
    ...base,
    name: d.name.trim(),
    kind: d.kind,
    host: d.host,
    group: text(d.group),
    autostart: d.autostart,
    // A SOCKS proxy has no fixed destination to check.
    healthCheckAtStart: d.kind !== 'dynamic' && d.healthCheckAtStart ? true : undefined,
    notes: text(d.notes),
    tags: splitTags(d.tags),
  };
  // The secret's reference is the main process's business; the login applies to SOCKS only.
  delete out.socksSecretRef;
  out.socksUser = d.kind === 'dynamic' ? text(d.socksUser) : undefined;
  // The listening end: a socket, or a bind address ('*' is every address) and port.
  const bind = text(d.bindAddress);
  out.listen =
    variant === 'fromSocket'
      ? { path: d.listenSocket.trim() }
      : { host: bind === undefined ? (d.kind === 'remote' ? DEFAULT_REMOTE_BIND : DEFAULT_LOCAL_BIND) : bind === '*' ? '' : bind, port: num(d.port) };
  // The destination: none for SOCKS, a socket, or host and port.
  out.target =
    d.kind === 'dynamic'
      ? undefined
      : variant === 'toSocket'
        ? { path: d.destinationSocket.trim() }
        : { host: text(d.destinationHost), port: num(d.destinationPort) };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}

/** The error key of a draft field (the password's is the contract's `secret`). */
export const fieldOf = (k: keyof Draft) => (k === 'kind' || k === 'variant' ? 'port' : k === 'socksPassword' ? 'secret' : k);

/** The form field an error about the forward at `path` belongs to ("listen.port" -> port). */
export function fieldOfPath(path: readonly PropertyKey[]): string {
  const [end, part] = path.map(String);
  if (end === 'listen') return part === 'path' ? 'listenSocket' : part === 'host' ? 'bindAddress' : 'port';
  if (end === 'target') return part === 'path' ? 'destinationSocket' : part === 'port' ? 'destinationPort' : 'destinationHost';
  return path.map(String).join('.');
}

/** Whether the forward being edited has a SOCKS password in the secret store. */
export const hasStoredPassword = (original: Forward | undefined) => !!original?.socksSecretRef && original.socksUser !== undefined;

/** The SOCKS password saving sends: undefined keeps what is stored, null forgets it, a string replaces it. */
export function socksSecretToSend(d: Draft, original: Forward | undefined): string | null | undefined {
  const login = d.kind === 'dynamic' && d.socksUser.trim() !== '';
  if (login && d.socksPassword !== '') return d.socksPassword;
  if (hasStoredPassword(original) && !login) return null;
  return undefined;
}
