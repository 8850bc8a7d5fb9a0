// Which saved host and forward a question from the main process is for. The
// engine asks about an address (127.0.0.1:22223, root@db, a key file); the
// person knows their hosts and forwards by name, so the prompt names them.
import type { PromptRequest } from '../../shared/contract';
import type { Host } from '../../shared/model';
import { isRunning } from '../../shared/tunnel-state';
import type { Store } from './store';

export interface PromptSubject {
  /** The saved hosts the question can be for (usually one). */
  hosts: Host[];
  /** The running forwards through those hosts, directly or by a jump. */
  forwards: string[];
}

/** A saved key path ("~/.ssh/id") against the expanded file the engine asks about. */
const samePath = (saved: string | undefined, file: string) =>
  saved !== undefined && (saved === file || (saved.startsWith('~/') && file.endsWith(saved.slice(1))));

function matches(p: PromptRequest, h: Host): boolean {
  if (p.type === 'hostKey') return h.hostname === p.question.host && h.port === p.question.port;
  if (p.question.kind === 'passphrase') return h.auth.method === 'key' && samePath(h.auth.keyPath, p.question.subject);
  return `${h.user ?? ''}@${h.hostname}` === p.question.subject || h.hostname === p.question.subject;
}

export function promptSubject(p: PromptRequest, s: Pick<Store, 'snapshot' | 'states'>): PromptSubject {
  const hosts = (s.snapshot?.hosts ?? []).map((v) => v.host).filter((h) => matches(p, h));
  const running = (s.snapshot?.forwards ?? []).filter((v) => isRunning((s.states[v.forward.name] ?? v.state).state)).map((v) => v.forward);
  const through = (forwardHost: string, h: Host) =>
    forwardHost === h.name || (s.snapshot?.hosts.find((v) => v.host.name === forwardHost)?.host.jump.includes(h.name) ?? false);
  // Two saved hosts can share an address: the ones a running forward goes through are asking.
  const asking = hosts.filter((h) => running.some((f) => through(f.host, h)));
  const which = asking.length ? asking : hosts;
  return { hosts: which, forwards: running.filter((f) => which.some((h) => through(f.host, h))).map((f) => f.name) };
}

const quoted = (names: string[]) => names.map((n) => `'${n}'`).join(', ');

/** "host 'work' (127.0.0.1:22223) for forward 'pop3'", or the bare address when no saved host matches. */
export function describeSubject(sub: PromptSubject, address: string): string {
  if (sub.hosts.length === 0) return address;
  const host = `host ${quoted(sub.hosts.map((h) => h.name))} (${address})`;
  if (sub.forwards.length === 0) return host;
  return `${host} for forward${sub.forwards.length > 1 ? 's' : ''} ${quoted(sub.forwards)}`;
}
