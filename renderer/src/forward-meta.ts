// How forwards are named and described in the window.
import type { ForwardState, HostView } from '../../shared/contract';
import type { ForwardKind } from '../../shared/forward-spec';
import type { Forward } from '../../shared/model';
import { boundOf, type ForwardReason } from '../../shared/tunnel-state';

export const KIND_LETTER: Record<ForwardKind, string> = { local: 'L', remote: 'R', dynamic: 'D' };

export const KINDS: { kind: ForwardKind; title: string; line: string }[] = [
  { kind: 'local', title: 'Local (-L)', line: 'A port on this computer reaches a service through the SSH server.' },
  { kind: 'remote', title: 'Remote (-R)', line: 'A port on the SSH server reaches a service on this side.' },
  { kind: 'dynamic', title: 'Dynamic (-D)', line: 'A SOCKS proxy on this computer; each app picks its own destination.' },
];

export { isRunning } from '../../shared/tunnel-state';

/** `kind`: a SOCKS proxy has no fixed destination, so it is never "not yet tried". */
export function stateLabel(s: ForwardState, kind?: ForwardKind): string {
  switch (s.state) {
    case 'stopped':
      return 'Stopped';
    case 'connecting':
      return 'Connecting…';
    case 'active':
      // Until a connection has reached the destination, a server that forbids forwarding looks just like a working one.
      if (s.destination.status === 'failing') return 'Active, destination failing';
      return s.destination.status === 'untried' && kind !== 'dynamic' ? 'Active, destination not yet tried' : 'Active';
    case 'reconnecting':
      return 'Reconnecting';
    case 'failed':
      return 'Failed';
  }
}

/** "127.0.0.1:1100" (or the server side for -R). */
export function listenText(f: Forward, s?: ForwardState): string {
  const at = (s && boundOf(s)) ?? f.listen;
  return 'path' in at ? at.path : `${at.host || '*'}:${at.port}`;
}

export function destinationText(f: Forward): string {
  if (f.kind === 'dynamic') return 'SOCKS proxy';
  return 'path' in f.target ? f.target.path : `${f.target.host}:${f.target.port}`;
}

/** "bastion → db" for a host with jump hosts. */
export function viaText(host: string, hosts: HostView[] | undefined): string {
  const h = hosts?.find((x) => x.host.name === host);
  return h && h.host.jump.length ? [...h.host.jump, host].join(' → ') : host;
}

/**
 * A destination failure, cause first, for the list's two clamped lines (the
 * engine's message starts with which connection it was; the full message is
 * the tooltip and in the details). Undefined: show the message as it is.
 */
export function reasonHeadline(f: Forward, reason: ForwardReason | undefined): string | undefined {
  if (!reason || f.kind === 'dynamic' || 'path' in f.target) return undefined;
  const dest = destinationText(f);
  switch (reason.code) {
    case 'DEST_REFUSED':
      return `Connection refused by ${dest}`;
    case 'DEST_PROHIBITED':
      return `The SSH server forbids forwarding to ${dest}`;
    case 'DEST_UNRESOLVED':
      return `The SSH server cannot resolve the name in ${dest}`;
    case 'DEST_TIMEOUT':
      return `${dest} did not answer in time`;
    case 'DEST_FAILED':
      return `Cannot reach ${dest}`;
    default:
      return undefined;
  }
}
