// `burrow ls`: saved hosts and forwards, each forward with what runs it (the
// runtime status files of the app, burrow web and burrow up) or, for a local
// port, whether it is free. Reads the profile file only: it loads neither the
// engine nor the contract, and starts fast.
import { dirname } from 'node:path';
import { isUnix } from '../../shared/forward-spec';
import { describeForward, listenPort, type Forward } from '../../shared/model';
import { isPortFree } from '../profiles/port-probe';
import { readRuntimeStatuses, runtimeOf, type PublishedForward, type PublisherKind, type RuntimeStatus } from '../profiles/runtime-status';
import { command, openRepository, out, usage, type Run } from './command';

export const LS_HELP = `Usage: burrow ls [--json]

Lists saved hosts and forwards. A forward's state comes from the process that
runs it (the desktop app, burrow web or burrow up): "running in Burrow (pid N):
active", "running in burrow up (pid N): reconnecting (attempt 3)", "failed in
Burrow (pid N): why". Otherwise only its local port can be checked: "stopped"
when it is free (or held by another saved forward that Burrow runs: it says
which), "port in use, not by Burrow" when something else (another program, or
burrow connect) holds it; a remote or socket forward is "not running in
Burrow".
`;

export interface ForwardRunState {
  /** For scripts: an engine state (connecting, active, reconnecting, failed), or stopped, port in use, unknown. */
  state: string;
  /** For people. */
  text: string;
  /** The process that runs it, from its status file. */
  runningIn?: { pid: number; app: PublisherKind };
}

const APP_NAME: Record<PublisherKind, string> = { desktop: 'Burrow', web: 'burrow web', cli: 'burrow up' };

/** What a published state says, as `burrow ls` shows it. */
export function describeRuntime(status: RuntimeStatus, f: PublishedForward, now = Date.now()): string {
  const where = `${APP_NAME[status.kind] ?? 'Burrow'} (pid ${status.pid})`;
  if (f.state === 'failed') return `failed in ${where}${f.reason ? `: ${f.reason}` : ''}`;
  let what: string = f.state;
  if (f.state === 'active' && f.destinationFailing) what = `active, destination failing${f.reason ? ` (${f.reason})` : ''}`;
  else if (f.state === 'active' && f.destinationUntried) what = 'active, destination not yet tried';
  if (f.state === 'reconnecting') {
    // No next try (or its time has come): the attempt is under way, not "next try in 0 s".
    const waiting = f.nextAttemptAt !== undefined && f.nextAttemptAt > now;
    const parts = [
      f.attempt !== undefined ? `attempt ${f.attempt}${waiting ? '' : ' under way'}` : '',
      waiting ? `next try in ${Math.round((f.nextAttemptAt! - now) / 1000)} s` : '',
    ].filter(Boolean);
    what = `reconnecting${parts.length ? ` (${parts.join(', ')})` : ''}${f.reason ? `: ${f.reason}` : ''}`;
  }
  return `running in ${where}: ${what}`;
}

/** Probes local ports one at a time, each address:port once: two probes of the same port at once would see each other as "in use". */
export function portProber(): (port: number, host: string) => Promise<boolean> {
  const seen = new Map<string, Promise<boolean>>();
  let queue: Promise<unknown> = Promise.resolve();
  return (port, host) => {
    const key = `${host}|${port}`;
    let free = seen.get(key);
    if (!free) {
      free = queue.then(() => isPortFree(port, host));
      queue = free;
      seen.set(key, free);
    }
    return free;
  };
}

/** The forward's state: from a live app's status file, else (local TCP ports only) a probe of its port. */
export async function forwardRunState(f: Forward, statuses: RuntimeStatus[], probe = portProber(), others: Forward[] = []): Promise<ForwardRunState> {
  const published = runtimeOf(statuses, f.name);
  if (published)
    return {
      state: published.forward.state,
      text: describeRuntime(published.status, published.forward),
      runningIn: { pid: published.status.pid, app: published.status.kind },
    };
  if (f.kind === 'remote' || isUnix(f.listen)) return { state: 'unknown', text: 'not running in Burrow' };
  const port = f.listen.port;
  if (await probe(port, f.listen.host || '0.0.0.0')) return { state: 'stopped', text: 'stopped' };
  // Another saved forward on the same port that a Burrow process runs: this one is simply stopped.
  const sibling = others.find((o) => o.name !== f.name && o.kind !== 'remote' && listenPort(o) === port && runtimeOf(statuses, o.name));
  if (sibling)
    return {
      state: 'stopped',
      text: `stopped (its port ${port} is used by forward '${sibling.name}', ${describeRuntime(runtimeOf(statuses, sibling.name)!.status, runtimeOf(statuses, sibling.name)!.forward)})`,
    };
  // A busy port says only that something listens there: not that it is this forward.
  return { state: 'port in use', text: 'port in use, not by Burrow' };
}

export const ls: Run = command(
  LS_HELP,
  { withValue: '', boolean: '', long: [] },
  async (p, io, cmd) => {
    if (p.positional.length) throw usage(`'burrow ls' lists every saved host and forward and takes no arguments (got: ${p.positional.join(' ')}).`, cmd);
    const repo = await openRepository(io);
    const doc = repo.document();
    const statuses = readRuntimeStatuses(dirname(repo.path));
    const probe = portProber();
    const forwards = await Promise.all(
      doc.forwards.map(async (f) => {
        const run = await forwardRunState(f, statuses, probe, doc.forwards);
        return { ...f, state: run.state, status: run.text, ...(run.runningIn ? { runningIn: run.runningIn } : {}) };
      }),
    );
    const lines = ['Hosts:'];
    for (const h of doc.hosts)
      lines.push(
        `  ${h.name.padEnd(20)} ${h.user ? `${h.user}@` : ''}${h.hostname}:${h.port}  auth=${h.auth.method}${h.jump.length ? `  via ${h.jump.join(',')}` : ''}${h.aliases?.length ? `  aliases=${h.aliases.join(',')}` : ''}`,
      );
    if (!doc.hosts.length) lines.push("  (none: 'burrow add host' or 'burrow import ssh-config')");
    lines.push('Forwards:');
    for (const f of forwards)
      lines.push(
        `  ${f.name.padEnd(20)} ${describeForward(f)}  [${f.status}]${f.socksUser ? `  socks-user=${f.socksUser}` : ''}${f.group ? `  group=${f.group}` : ''}${f.autostart ? '  autostart' : ''}`,
      );
    if (!forwards.length) lines.push("  (none: 'burrow add forward' or 'burrow preset')");
    return out(io, p, { hosts: doc.hosts, forwards, path: repo.path }, lines.join('\n'));
  },
  'ls',
);
