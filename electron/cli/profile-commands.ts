// `burrow ls | add | edit | rm | import | export | preset`: saved profiles on
// the command line, over the same ProfileRepository the desktop app uses.
// (`burrow up` is in up.ts.)
import { existsSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { BurrowError, isBurrowError } from '../../shared/errors';
import { isUnix, parseForwardSpec, type ForwardKind } from '../../shared/forward-spec';
import { AUTH_METHODS, describeForward, listenPort, specEndpoints, type Forward, type ForwardInput, type Host, type HostInput } from '../../shared/model';
import { PRESETS, findPreset } from '../../shared/presets';
import { exposureOf } from '../../shared/exposure';
import { exportJson, exportSshCommand, exportSshConfig, parseExport, sshExportNote } from '../profiles/export';
import type { ImportReport } from '../profiles/merge';
import { isPortFree } from '../profiles/port-probe';
import { ProfileRepository, applyPatch, type Patch, type RepositoryWarning } from '../profiles/repository';
import { presetForward } from '../profiles/presets';
import { readRuntimeStatuses, runtimeOf, type PublishedForward, type PublisherKind, type RuntimeStatus } from '../profiles/runtime-status';
import { configDir } from '../profiles/paths';
import { ForgetOnlySecretStore, secretsFilePath } from '../profiles/secrets-file';
import { importSshConfigFile } from '../profiles/ssh-config-import';
import { DEFAULT_SSH_CONFIG } from '../sshconfig/ssh-config';
import { parseDestination, parseOption } from '../sshconfig/host-options';
import { resolveAlgorithms, type AlgorithmKind } from '../tunnels/algorithms';
import { has, parseArgs, values, type FlagSpec, type ParsedArgs } from './args';
import { exitCodeFor } from './exit-codes';
import type { CliIO } from './io';
import { ttyPrompter } from './prompter';

export type Run = (argv: string[], io: CliIO) => Promise<number>;

/** Bad input (exit 2) also covers unknown names and name clashes. */
export function profileExitCode(err: unknown): number {
  return isBurrowError(err) && (err.code === 'NOT_FOUND' || err.code === 'CONFLICT') ? 2 : exitCodeFor(err);
}

/**
 * Opens the store the app uses (BURROW_CONFIG_DIR overrides); start-up warnings
 * go to stderr. The CLI keeps no secrets, but removes the app's encrypted entry
 * when a change leaves it without a reference.
 */
export async function openRepository(io: CliIO): Promise<ProfileRepository> {
  const dir = configDir(io.env);
  const repo = await ProfileRepository.open({ secrets: new ForgetOnlySecretStore(secretsFilePath(dir)), dir });
  for (const w of repo.warnings) io.stderr.write(`burrow: warning: ${w.message}\n`);
  return repo;
}

/** Runs a profile command: --help, argument errors as exit 2 with the message, JSON or text output. */
export function command(help: string, spec: FlagSpec, body: (p: ParsedArgs, io: CliIO, name: string) => Promise<number>, name: string): Run {
  return async (argv, io) => {
    if (argv.includes('--help') || argv.includes('-h')) {
      io.stdout.write(help);
      return 0;
    }
    const json = argv.includes('--json');
    try {
      const parsed = parseArgs(argv, { ...spec, long: [...spec.long, 'json', 'help'] }, name);
      return await body(parsed, io, name);
    } catch (e) {
      const err = isBurrowError(e) ? e : new BurrowError('INTERNAL', (e as Error).message);
      if (json) io.stdout.write(JSON.stringify({ event: 'error', code: err.code, message: err.message }) + '\n');
      else io.stderr.write(`burrow: error: ${err.message}\n`);
      return profileExitCode(err);
    }
  };
}

function out(io: CliIO, p: ParsedArgs, value: unknown, text: string): number {
  if (has(p, '--json')) io.stdout.write(JSON.stringify(value) + '\n');
  else io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  return 0;
}

function warn(io: CliIO, warnings: RepositoryWarning[]): void {
  for (const w of warnings) io.stderr.write(`burrow: warning: ${w.message}\n`);
}

function usage(message: string, cmd: string): BurrowError {
  return new BurrowError('USAGE', `${message} See 'burrow ${cmd} --help'.`);
}

const one = (p: ParsedArgs, flag: string) => values(p, flag).at(-1);

// ------------------------------------------------------------------ ls

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

// ------------------------------------------------------------------ add / edit host

const HOST_FLAG_HELP = `  --hostname ADDR     (edit) The server's address or DNS name
  -p port             SSH port (default 22)
  -l user             User to log in as (default: your local user name)
  -i identity_file    Private key (sets --auth key)
  -J host[,host...]   Jump hosts: names of saved hosts, outermost first
  --no-jump           (edit) Remove the jump hosts
  --auth METHOD       agent, key, password or keyboard-interactive
                      (passwords are asked for when connecting; the CLI keeps none)
  --known-hosts FILE  known_hosts file for this host
  -o Option=value     StrictHostKeyChecking, ServerAliveInterval,
                      ServerAliveCountMax, Ciphers, KexAlgorithms,
                      HostKeyAlgorithms, MACs, IdentitiesOnly
  --notes TEXT        Free text
  --json              Print the saved host as JSON`;

/** The host fields the flags set (without name). */
function hostFlags(p: ParsedArgs, base: HostInput | Host | undefined, cmd: string): Patch<HostInput> {
  const patch: Patch<HostInput> = {};
  const hostname = one(p, '--hostname');
  if (hostname !== undefined) patch.hostname = /^\[.*\]$/.test(hostname) ? hostname.slice(1, -1) : hostname;
  const port = one(p, '-p');
  if (port !== undefined) patch.port = Number.isNaN(Number(port)) ? (port as unknown as number) : Number(port);
  const user = one(p, '-l');
  if (user !== undefined) patch.user = user;
  const jump = one(p, '-J');
  if (jump !== undefined)
    patch.jump = jump
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  if (has(p, '--no-jump')) patch.jump = [];
  const known = one(p, '--known-hosts');
  if (known !== undefined) patch.knownHostsFile = known;
  const notes = one(p, '--notes');
  if (notes !== undefined) patch.notes = notes;
  const key = one(p, '-i');
  const method = one(p, '--auth');
  if (method !== undefined && !(AUTH_METHODS as readonly string[]).includes(method)) {
    throw new BurrowError('USAGE', `--auth must be one of ${AUTH_METHODS.join(', ')} (got '${method}').`);
  }
  if (key !== undefined || method !== undefined) {
    const prev = base?.auth;
    const m = (method ?? (key !== undefined ? 'key' : (prev?.method ?? 'agent'))) as Host['auth']['method'];
    patch.auth = {
      method: m,
      ...(m === 'key' ? { keyPath: key ?? prev?.keyPath } : {}),
      ...(prev?.identitiesOnly ? { identitiesOnly: prev.identitiesOnly } : {}),
    };
  }
  const keepalive = { ...(base?.keepalive ?? {}) } as { interval?: number; countMax?: number };
  let keepaliveSet = false;
  for (const o of values(p, '-o')) {
    const [k, v] = parseOption(o);
    if (k === 'stricthostkeychecking') patch.strictHostKeyChecking = (v.toLowerCase() === 'off' ? 'no' : v.toLowerCase()) as Host['strictHostKeyChecking'];
    else if (k === 'serveraliveinterval') {
      keepalive.interval = Number(v);
      keepaliveSet = true;
    } else if (k === 'serveralivecountmax') {
      keepalive.countMax = Number(v);
      keepaliveSet = true;
    } else if (Object.hasOwn(SAVED_ALGORITHMS, k)) {
      // +, - and ^ applied to the default; the other lists of the host are kept.
      const [kind, field] = SAVED_ALGORITHMS[k];
      patch.algorithms = { ...(base?.algorithms ?? {}), ...(patch.algorithms ?? {}), [field]: resolveAlgorithms(kind, v).list };
    } else if (k === 'identitiesonly') patch.auth = { ...(patch.auth ?? base?.auth ?? { method: 'agent' }), identitiesOnly: v.toLowerCase() === 'yes' };
    else throw usage(`-o ${o}: ${o.split(/[= ]/)[0]} cannot be saved on a host.`, cmd);
  }
  if (keepaliveSet) patch.keepalive = { interval: keepalive.interval ?? 15, countMax: keepalive.countMax ?? 3 };
  return patch;
}

/** The -o algorithm options a saved host keeps, and where (shared/model.ts Algorithms). */
const SAVED_ALGORITHMS: Record<string, [AlgorithmKind, 'ciphers' | 'kex' | 'hostKey' | 'mac']> = {
  ciphers: ['cipher', 'ciphers'],
  kexalgorithms: ['kex', 'kex'],
  hostkeyalgorithms: ['hostKey', 'hostKey'],
  macs: ['mac', 'mac'],
};

export const ADD_HELP = `Usage: burrow add host NAME [user@]hostname[:port] [options]
       burrow add forward NAME (-L|-R|-D) SPEC --via HOST [options]

add host: save an SSH server under NAME.
${HOST_FLAG_HELP}

add forward: save a forward, spelled as in OpenSSH:
  -L [bind_address:]port:host:hostport    local forward (also Unix sockets)
  -R [bind_address:]port:host:hostport    remote forward
  -D [bind_address:]port                  SOCKS proxy
  --via HOST          The saved host it goes through (required)
  --group G           Put it in a group (burrow up --group G)
  --tag T             Add a tag (repeatable)
  --autostart         Start it when the desktop app starts
  --notes TEXT        Free text
  --socks-user USER   (-D only) SOCKS5 clients must log in as USER with a
                      password. Where a secret store exists (the desktop app)
                      the password is kept there, never in the profile file;
                      the command line keeps none, so 'burrow up' reads it from
                      BURROW_SOCKS_PASSWORD or asks on the terminal each time.
  --json              Print the saved forward as JSON

Example (POP3 on mail.example.com at localhost:1100, through 'other'):
  burrow add host other other.example.com
  burrow add forward pop3 -L 1100:mail.example.com:110 --via other
`;

function forwardFlags(p: ParsedArgs, cmd: string): Patch<ForwardInput> {
  const patch: Patch<ForwardInput> = {};
  const specs = (['-L', '-R', '-D'] as const).flatMap((flag) => values(p, flag).map((v) => [flag, v] as const));
  if (specs.length > 1) throw usage('Give one forward spec (-L, -R or -D); save each forward under its own name.', cmd);
  if (specs.length === 1) {
    const kind: ForwardKind = specs[0][0] === '-L' ? 'local' : specs[0][0] === '-R' ? 'remote' : 'dynamic';
    const ep = specEndpoints(parseForwardSpec(kind, specs[0][1]));
    // A -D spec has no target: clear the one the forward had.
    Object.assign(patch, { target: null }, ep);
  }
  const via = one(p, '--via');
  if (via !== undefined) patch.host = via;
  const group = one(p, '--group');
  if (group !== undefined) patch.group = group === '' ? null : group;
  const tags = values(p, '--tag');
  if (tags.length) patch.tags = tags;
  if (has(p, '--autostart')) patch.autostart = true;
  if (has(p, '--no-autostart')) patch.autostart = false;
  const notes = one(p, '--notes');
  if (notes !== undefined) patch.notes = notes;
  const socksUser = one(p, '--socks-user');
  if (socksUser !== undefined && has(p, '--no-socks-user')) throw usage('Give --socks-user USER or --no-socks-user, not both.', cmd);
  if (socksUser !== undefined) patch.socksUser = socksUser;
  if (has(p, '--no-socks-user')) patch.socksUser = null;
  return patch;
}

const NOT_KEPT =
  'No secret store is available to the command line, so the SOCKS password is not saved: the password will be asked for each time (burrow up reads BURROW_SOCKS_PASSWORD, else asks on the terminal).';

/**
 * The SOCKS password to save with a login, when it can be kept: from
 * BURROW_SOCKS_PASSWORD, else asked on the terminal. Undefined when there is
 * no secret store (then asking would be for nothing) or nobody to ask.
 */
async function socksPasswordToSave(repo: ProfileRepository, io: CliIO, user: string, forward: string): Promise<string | undefined> {
  if (!(await repo.secretsAvailable())) return undefined;
  const fromEnv = io.env.BURROW_SOCKS_PASSWORD;
  if (fromEnv) return fromEnv;
  const asked = await ttyPrompter(io)?.secret({
    kind: 'password',
    subject: `SOCKS user ${user} (forward ${forward})`,
    prompt: `Password for SOCKS user '${user}' of forward '${forward}': `,
  });
  return asked || undefined;
}

/** What to tell about a saved forward's SOCKS login. */
function loginNote(f: Forward): string | null {
  if (f.kind !== 'dynamic' || !f.socksUser) return null;
  return f.socksSecretRef
    ? `SOCKS clients must log in as '${f.socksUser}'; the password is kept in the secret store.`
    : `SOCKS clients must log in as '${f.socksUser}'. ${NOT_KEPT}`;
}

/** Prints a saved forward: the text line (with the login note), or JSON on stdout and the note on stderr; an exposed listener is warned about. */
function savedForward(io: CliIO, p: ParsedArgs, f: Forward, text: string): number {
  const exposure = exposureOf(f.kind, f.listen, { socksLogin: !!f.socksUser });
  if (exposure) io.stderr.write(`burrow: ${f.name}: warning: ${exposure.message}\n`);
  const note = loginNote(f);
  if (note && has(p, '--json')) io.stderr.write(`burrow: note: ${note}\n`);
  return out(io, p, f, note && !has(p, '--json') ? `${text}\n${note}` : text);
}

export const add: Run = command(
  ADD_HELP,
  { withValue: 'pliJoLRD', boolean: '', long: ['autostart', 'no-jump'], longWithValue: ['auth', 'known-hosts', 'notes', 'via', 'group', 'tag', 'socks-user'] },
  async (p, io, cmd) => {
    const [what, name, dest, ...extra] = p.positional;
    if (what === 'host') {
      if (!name || !dest) throw usage('Usage: burrow add host NAME [user@]hostname[:port].', cmd);
      if (extra.length) throw usage(`Unexpected: ${extra.join(' ')}.`, cmd);
      const d = parseDestination(dest, true);
      const base: HostInput = { name, hostname: d.host, ...(d.user ? { user: d.user } : {}), ...(d.port ? { port: d.port } : {}) };
      const input = { ...base, ...hostFlags(p, undefined, cmd) } as HostInput;
      const repo = await openRepository(io);
      const r = await repo.addHost(dropNulls(input));
      warn(io, r.warnings);
      return out(io, p, r.value, `Saved host '${r.value.name}' (${r.value.user ? `${r.value.user}@` : ''}${r.value.hostname}:${r.value.port}).`);
    }
    if (what === 'forward') {
      if (!name) throw usage('Usage: burrow add forward NAME (-L|-R|-D) SPEC --via HOST.', cmd);
      if (dest || extra.length) throw usage(`Unexpected: ${[dest, ...extra].join(' ')}.`, cmd);
      const patch = forwardFlags(p, cmd);
      if (patch.kind === undefined) throw usage('Missing the forward: give -L, -R or -D with a spec, e.g. -L 1100:mail.example.com:110.', cmd);
      if (patch.host === undefined) throw usage('Missing --via HOST: the saved host the forward goes through.', cmd);
      if (patch.socksUser && patch.kind !== 'dynamic') throw usage('--socks-user sets the login of a SOCKS proxy: use it with -D, or leave it out.', cmd);
      const repo = await openRepository(io);
      const input = dropNulls({ ...patch, name }) as ForwardInput;
      const secret = input.socksUser ? await socksPasswordToSave(repo, io, input.socksUser, name) : undefined;
      const f = await repo.addForward(input, { secret });
      return savedForward(io, p, f, `Saved forward '${f.name}': ${describeForward(f)}. Start it with: burrow up ${f.name}`);
    }
    throw usage(
      what ? `Unknown kind '${what}': use 'burrow add host' or 'burrow add forward'.` : "Say what to add: 'burrow add host' or 'burrow add forward'.",
      cmd,
    );
  },
  'add',
);

function dropNulls<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined)) as T;
}

export const EDIT_HELP = `Usage: burrow edit host NAME [--name NEW] [--hostname ADDR] [host options of 'burrow add']
       burrow edit forward NAME [--name NEW] [-L|-R|-D SPEC] [--via HOST] [--group G]
                               [--tag T]... [--autostart|--no-autostart] [--notes TEXT]
                               [--socks-user USER | --no-socks-user]

Changes what the flags give and keeps the rest. Renaming a host updates the
forwards and jump lists that use it.
${HOST_FLAG_HELP}
  --socks-user USER   (forward, -D only) Require this SOCKS login (see 'burrow add --help')
  --no-socks-user     (forward) Remove the SOCKS login and forget its password
`;

export const edit: Run = command(
  EDIT_HELP,
  {
    withValue: 'pliJoLRD',
    boolean: '',
    long: ['autostart', 'no-autostart', 'no-jump', 'no-socks-user'],
    longWithValue: ['auth', 'known-hosts', 'notes', 'via', 'group', 'tag', 'name', 'socks-user', 'hostname'],
  },
  async (p, io, cmd) => {
    const [what, name, ...extra] = p.positional;
    if (!name || (what !== 'host' && what !== 'forward')) throw usage('Usage: burrow edit host NAME ... or burrow edit forward NAME ...', cmd);
    if (extra.length) throw usage(`Unexpected: ${extra.join(' ')}.`, cmd);
    const repo = await openRepository(io);
    const rename = one(p, '--name');
    if (what === 'forward' && has(p, '--hostname')) throw usage("--hostname changes a host's address: burrow edit host NAME --hostname ADDR.", cmd);
    if (what === 'host') {
      const patch = { ...hostFlags(p, repo.requireHost(name), cmd), ...(rename ? { name: rename } : {}) };
      const r = await repo.updateHost(name, patch);
      warn(io, r.warnings);
      return out(io, p, r.value, `Saved host '${r.value.name}'.`);
    }
    const current = repo.requireForward(name);
    const patch = { ...forwardFlags(p, cmd), ...(rename ? { name: rename } : {}) };
    const kind = patch.kind ?? current.kind;
    if (patch.socksUser && kind !== 'dynamic')
      throw usage(`--socks-user sets the login of a SOCKS proxy, and '${name}' is a ${kind} forward: give -D too, or leave --socks-user out.`, cmd);
    if (kind !== 'dynamic' && current.socksUser !== undefined && patch.socksUser === undefined) {
      throw usage(
        `Forward '${name}' has the SOCKS login '${current.socksUser}', which only applies to SOCKS (dynamic) forwards: add --no-socks-user to remove it.`,
        cmd,
      );
    }
    // A new user name: a new password (kept only where a secret store exists); removing the login forgets it.
    const secret =
      patch.socksUser === null
        ? null
        : patch.socksUser && patch.socksUser !== current.socksUser
          ? await socksPasswordToSave(repo, io, patch.socksUser, name)
          : undefined;
    const f = await repo.replaceForward(name, applyPatch(current, patch) as ForwardInput, { secret });
    return savedForward(io, p, f, `Saved forward '${f.name}': ${describeForward(f)}.`);
  },
  'edit',
);

export const RM_HELP = `Usage: burrow rm host NAME | burrow rm forward NAME [--json]

Removes a saved host (refused while forwards or other hosts use it) or forward.
`;

export const rm: Run = command(
  RM_HELP,
  { withValue: '', boolean: '', long: [] },
  async (p, io, cmd) => {
    const [what, name, ...extra] = p.positional;
    if (!name || extra.length || (what !== 'host' && what !== 'forward')) throw usage('Usage: burrow rm host NAME or burrow rm forward NAME.', cmd);
    const repo = await openRepository(io);
    if (what === 'host') await repo.removeHost(name);
    else await repo.removeForward(name);
    return out(io, p, { removed: { kind: what, name } }, `Removed ${what} '${name}'.`);
  },
  'rm',
);

// ------------------------------------------------------------------ import / export

export const IMPORT_HELP = `Usage: burrow import ssh-config [FILE] [--dry-run] [--replace] [--json]
       burrow import json FILE [--dry-run] [--replace] [--json]

ssh-config: reads FILE (default ~/.ssh/config, with its Include files) and
saves each Host as a host, and its LocalForward, RemoteForward and
DynamicForward lines as forwards. What 'Host *' sets is applied; wildcard-only
blocks and Match blocks are not imported (the report says so).
json: reads a file made by 'burrow export --format json'. Passwords are never
imported.

Entries are merged by name. The report says, for each: add, exists (identical),
conflict (a different saved entry of that name is kept), replace (--replace),
or skip with the reason.
  --dry-run   Only show the report
  --replace   Replace saved entries that differ
`;

function formatReport(r: ImportReport, extra: string[] = []): string {
  const lines = r.items.map((i) => `  ${i.action.padEnd(8)} ${i.kind.padEnd(7)} ${i.name}${i.reason ? `: ${i.reason}` : ''}`);
  const n = (a: string) => r.items.filter((i) => i.action === a).length;
  const head = `${r.applied ? 'Imported' : 'Would import (dry run)'}: ${n('add')} to add, ${n('exists')} already there, ${n('conflict')} in conflict, ${n('replace')} replaced, ${n('skip')} skipped.`;
  return [head, ...lines, ...extra.map((e) => `  note: ${e}`)].join('\n');
}

export const importCmd: Run = command(
  IMPORT_HELP,
  { withValue: '', boolean: '', long: ['dry-run', 'replace'] },
  async (p, io, cmd) => {
    const [what, file, ...extra] = p.positional;
    if (extra.length) throw usage(`Unexpected: ${extra.join(' ')}.`, cmd);
    const opts = { dryRun: has(p, '--dry-run'), replace: has(p, '--replace') };
    if (what === 'ssh-config') {
      const path = file ?? DEFAULT_SSH_CONFIG;
      if (!existsSync(path)) throw usage(`The ssh config file ${path} does not exist; give its path.`, cmd);
      const incoming = importSshConfigFile(path);
      const repo = await openRepository(io);
      const report = await repo.importProfiles(incoming, opts);
      return out(io, p, { ...report, files: incoming.files, problems: incoming.problems }, formatReport(report, incoming.problems));
    }
    if (what === 'json') {
      if (!file) throw usage('Give the file: burrow import json FILE.', cmd);
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        throw new BurrowError('USAGE', `Cannot read ${file}: ${(e as Error).message}.`);
      }
      const repo = await openRepository(io);
      const report = await repo.importProfiles(parseExport(text, file), opts);
      return out(io, p, report, formatReport(report));
    }
    throw usage(what ? `Unknown source '${what}': use ssh-config or json.` : 'Say what to import: ssh-config or json.', cmd);
  },
  'import',
);

export const EXPORT_HELP = `Usage: burrow export [--format json|ssh-config] 
       burrow export --format ssh FORWARD

Writes saved profiles to stdout. Passwords are never exported.
  --format json        Hosts, forwards (default); 'burrow import json' reads it
  --format ssh-config  Hosts as an ssh_config fragment (Host blocks with their
                       forwards)
  --format ssh         One forward as an 'ssh' command line
`;

export const exportCmd: Run = command(
  EXPORT_HELP,
  { withValue: '', boolean: '', long: [], longWithValue: ['format'] },
  async (p, io, cmd) => {
    const format = one(p, '--format') ?? 'json';
    const repo = await openRepository(io);
    const doc = repo.document();
    if (format === 'json') {
      if (p.positional.length) throw usage('--format json exports everything; leave out the names.', cmd);
      io.stdout.write(JSON.stringify(exportJson(doc), null, 2) + '\n');
      return 0;
    }
    if (format === 'ssh-config') {
      if (p.positional.length) throw usage('--format ssh-config exports every host; leave out the names.', cmd);
      io.stdout.write(exportSshConfig(doc));
      return 0;
    }
    if (format === 'ssh') {
      if (p.positional.length !== 1) throw usage('--format ssh needs one forward name: burrow export --format ssh NAME.', cmd);
      const f = repo.requireForward(p.positional[0]);
      io.stdout.write(exportSshCommand(f, doc) + '\n');
      const note = sshExportNote(f);
      if (note) io.stderr.write(`burrow: note: ${note}\n`);
      return 0;
    }
    throw usage(`Unknown --format '${format}': use json, ssh-config or ssh.`, cmd);
  },
  'export',
);

// ------------------------------------------------------------------ preset

export const PRESET_HELP = `Usage: burrow preset PRESET --via HOST [--to DESTHOST] [--name NAME] [--json]
       burrow preset            (lists the presets)

Saves a forward for a common service in two steps: the preset and the host.
The local port is the service port when it is 1024 or above, else the port +
1000 (POP3's 110 -> 1100), then the next free one.
  --via HOST      The saved host to go through
  --to DESTHOST   Where the service runs, seen from HOST (default: localhost,
                  the host itself)
  --name NAME     The forward's name (default PRESET-HOST, then PRESET-HOST-2,
                  -3 ... when that is taken, as in the window and the tray)

Presets: ${PRESETS.map((x) => `${x.id} (${x.port ?? 'SOCKS'})`).join(', ')}.

Example: burrow preset pop3 --via other    -> localhost:1100 to other's POP3
`;

export const preset: Run = command(
  PRESET_HELP,
  { withValue: '', boolean: '', long: [], longWithValue: ['via', 'to', 'name'] },
  async (p, io, cmd) => {
    if (p.positional.length === 0) {
      return out(io, p, PRESETS, PRESETS.map((x) => `  ${x.id.padEnd(10)} ${x.label}${x.port ? ` (port ${x.port})` : ''}`).join('\n'));
    }
    if (p.positional.length > 1) throw usage(`Give one preset (got ${p.positional.join(' ')}).`, cmd);
    const pr = findPreset(p.positional[0]);
    const via = one(p, '--via');
    if (!via) throw usage(`Missing --via HOST: which saved host should ${pr.label} go through?`, cmd);
    const repo = await openRepository(io);
    repo.requireHost(via);
    // The same function as the window and the tray: free local port, and PRESET-HOST-2, -3 ... when the name is taken.
    const input = await presetForward(repo.document(), pr, { host: via, destinationHost: one(p, '--to'), name: one(p, '--name') });
    const f = await repo.addForward(input);
    return out(io, p, f, `Saved forward '${f.name}': ${pr.label} on localhost:${listenPort(f)} (${describeForward(f)}). Start it with: burrow up ${f.name}`);
  },
  'preset',
);
