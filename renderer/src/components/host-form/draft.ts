// The host form's draft: one field per box, turned into the host as the
// shared schema sees it (HostSchema) at the form's edge only.
import type { AUTH_METHODS, Algorithms, Host } from '../../../../shared/model';
import type { FormPart } from '../../hooks/useForm';
import { algorithmTexts, type AlgorithmTexts } from './AlgorithmFields';

export interface Draft {
  name: string;
  hostname: string;
  port: string;
  user: string;
  method: Host['auth']['method'];
  keyPath: string;
  secret: string;
  /** Saved host names, outermost first. */
  jump: string[];
  keepaliveInterval: string;
  keepaliveCount: string;
  strict: Host['strictHostKeyChecking'];
  knownHostsFile: string;
  notes: string;
  /** Ciphers, KexAlgorithms, HostKeyAlgorithms, MACs as typed (ssh_config syntax). */
  algorithms: AlgorithmTexts;
}

export type PartProps = FormPart<Draft>;

export const AUTH_LABEL: Record<(typeof AUTH_METHODS)[number], string> = {
  agent: 'SSH agent',
  key: 'Key file',
  password: 'Password',
  'keyboard-interactive': 'One-time code / keyboard-interactive',
};

const t = (s: string) => (s.trim() === '' ? undefined : s.trim());
const n = (s: string) => (s.trim() === '' ? undefined : /^\d+$/.test(s.trim()) ? Number(s.trim()) : s);

export function toDraft(h: Host | undefined): Draft {
  return {
    name: h?.name ?? '',
    hostname: h?.hostname ?? '',
    port: String(h?.port ?? 22),
    user: h?.user ?? '',
    method: h?.auth.method ?? 'agent',
    keyPath: h?.auth.keyPath ?? '',
    secret: '',
    jump: h?.jump ?? [],
    keepaliveInterval: h?.keepalive ? String(h.keepalive.interval) : '',
    keepaliveCount: h?.keepalive ? String(h.keepalive.countMax) : '',
    strict: h?.strictHostKeyChecking ?? 'ask',
    knownHostsFile: h?.knownHostsFile ?? '',
    notes: h?.notes ?? '',
    algorithms: algorithmTexts(h?.algorithms),
  };
}

/** The host as the schema sees it; `algorithms`: the lists the engine resolved the typed values to. */
export function toInput(d: Draft, original: Host | undefined, algorithms: Algorithms): Record<string, unknown> {
  const auth: Record<string, unknown> = { method: d.method };
  if (d.method === 'key') auth.keyPath = t(d.keyPath);
  if (original?.auth.identitiesOnly !== undefined && d.method === 'key') auth.identitiesOnly = original.auth.identitiesOnly;
  const out: Record<string, unknown> = {
    name: d.name.trim(),
    hostname: d.hostname.trim(),
    port: n(d.port),
    user: t(d.user),
    auth,
    jump: d.jump,
    strictHostKeyChecking: d.strict,
    knownHostsFile: t(d.knownHostsFile),
    notes: t(d.notes),
    algorithms: Object.keys(algorithms).length ? algorithms : undefined,
  };
  if (d.keepaliveInterval.trim() || d.keepaliveCount.trim()) out.keepalive = { interval: n(d.keepaliveInterval || '15'), countMax: n(d.keepaliveCount || '3') };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}

/** The error key of a draft field. */
export const fieldOf = (k: keyof Draft): string => (k === 'method' ? 'auth' : k === 'strict' ? 'strictHostKeyChecking' : k);

/** The form field an error about the host at `path` belongs to: each keepalive box has its own ("keepalive.countMax" -> keepaliveCount). */
export function fieldOfPath(path: readonly PropertyKey[]): string {
  const [top, part] = path.map(String);
  if (top === 'keepalive') return part === 'countMax' ? 'keepaliveCount' : 'keepaliveInterval';
  return path.map(String).join('.');
}
