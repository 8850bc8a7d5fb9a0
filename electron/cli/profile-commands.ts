// `burrow add | edit | rm | import | export | preset`: saved profiles on the
// command line, through the same dispatcher and handlers as the window
// (profile-api.ts), so that one code path decides what is saved. (`burrow ls`
// is in ls.ts, `burrow up` in up.ts.)
import { existsSync } from 'node:fs';
import { BurrowError } from '../../shared/errors';
import { parseForwardSpec, type ForwardKind } from '../../shared/forward-spec';
import { AUTH_METHODS, describeForward, listenPort, specEndpoints, type Forward, type ForwardInput, type Host, type HostInput } from '../../shared/model';
import { PRESETS, findPreset } from '../../shared/presets';
import { exposureOf } from '../../shared/exposure';
import type { ImportResult, Input } from '../../shared/contract';
import { applyPatch, type Patch } from '../profiles/repository';
import { DEFAULT_SSH_CONFIG } from '../sshconfig/ssh-config';
import { parseDestination, parseOption } from '../sshconfig/host-options';
import { resolveAlgorithms, type AlgorithmKind } from '../tunnels/algorithms';
import { has, values, type ParsedArgs } from './args';
import { command, one, out, usage, type Run } from './command';
import type { CliIO } from './io';
import { openProfileApi, type ProfileApi } from './profile-api';
import { ttyPrompter } from './prompter';

function warn(io: CliIO, warnings: { message: string }[]): void {
  for (const w of warnings) io.stderr.write(`burrow: warning: ${w.message}\n`);
}

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
async function socksPasswordToSave(api: ProfileApi, io: CliIO, user: string, forward: string): Promise<string | undefined> {
  if (!(await api.repo.secretsAvailable())) return undefined;
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
      const api = await openProfileApi(io);
      const r = await api.call('host.add', { host: dropNulls(input) });
      warn(io, r.warnings);
      const h = r.host.host;
      return out(io, p, h, `Saved host '${h.name}' (${h.user ? `${h.user}@` : ''}${h.hostname}:${h.port}).`);
    }
    if (what === 'forward') {
      if (!name) throw usage('Usage: burrow add forward NAME (-L|-R|-D) SPEC --via HOST.', cmd);
      if (dest || extra.length) throw usage(`Unexpected: ${[dest, ...extra].join(' ')}.`, cmd);
      const patch = forwardFlags(p, cmd);
      if (patch.kind === undefined) throw usage('Missing the forward: give -L, -R or -D with a spec, e.g. -L 1100:mail.example.com:110.', cmd);
      if (patch.host === undefined) throw usage('Missing --via HOST: the saved host the forward goes through.', cmd);
      if (patch.socksUser && patch.kind !== 'dynamic') throw usage('--socks-user sets the login of a SOCKS proxy: use it with -D, or leave it out.', cmd);
      const api = await openProfileApi(io);
      const input = dropNulls({ ...patch, name }) as ForwardInput;
      const secret = input.socksUser ? await socksPasswordToSave(api, io, input.socksUser, name) : undefined;
      const { forward: f } = await api.call('forward.add', { forward: input, ...(secret !== undefined ? { secret } : {}) });
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
    const api = await openProfileApi(io);
    const rename = one(p, '--name');
    if (what === 'forward' && has(p, '--hostname')) throw usage("--hostname changes a host's address: burrow edit host NAME --hostname ADDR.", cmd);
    if (what === 'host') {
      const host = api.repo.requireHost(name);
      const patch = { ...hostFlags(p, host, cmd), ...(rename ? { name: rename } : {}) };
      const r = await api.call('host.update', { name, host: applyPatch(host, patch) });
      warn(io, r.warnings);
      return out(io, p, r.host.host, `Saved host '${r.host.host.name}'.`);
    }
    const current = api.repo.requireForward(name);
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
          ? await socksPasswordToSave(api, io, patch.socksUser, name)
          : undefined;
    const forward = applyPatch(current, patch) as ForwardInput;
    const { forward: f } = await api.call('forward.update', { name, forward, ...(secret !== undefined ? { secret } : {}) });
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
    const api = await openProfileApi(io);
    if (what === 'host') await api.call('host.remove', { name });
    else await api.call('forward.remove', { name });
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

type ImportSource = Input<'import.apply'>['source'];

function formatReport(r: ImportResult): string {
  const lines = r.items.map((i) => `  ${i.action.padEnd(8)} ${i.kind.padEnd(7)} ${i.name}${i.reason ? `: ${i.reason}` : ''}`);
  const n = (a: string) => r.items.filter((i) => i.action === a).length;
  const head = `${r.applied ? 'Imported' : 'Would import (dry run)'}: ${n('add')} to add, ${n('exists')} already there, ${n('conflict')} in conflict, ${n('replace')} replaced, ${n('skip')} skipped.`;
  return [head, ...lines].join('\n');
}

export const importCmd: Run = command(
  IMPORT_HELP,
  { withValue: '', boolean: '', long: ['dry-run', 'replace'] },
  async (p, io, cmd) => {
    const [what, file, ...extra] = p.positional;
    if (extra.length) throw usage(`Unexpected: ${extra.join(' ')}.`, cmd);
    const replace = has(p, '--replace');
    let source: ImportSource;
    if (what === 'ssh-config') {
      const path = file ?? DEFAULT_SSH_CONFIG;
      if (!existsSync(path)) throw usage(`The ssh config file ${path} does not exist; give its path.`, cmd);
      source = { format: 'ssh_config', path };
    } else if (what === 'json') {
      if (!file) throw usage('Give the file: burrow import json FILE.', cmd);
      source = { format: 'json', path: file };
    } else throw usage(what ? `Unknown source '${what}': use ssh-config or json.` : 'Say what to import: ssh-config or json.', cmd);
    const api = await openProfileApi(io);
    const report = await api.call(has(p, '--dry-run') ? 'import.preview' : 'import.apply', { source, replace });
    return out(io, p, report, formatReport(report));
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
    const api = await openProfileApi(io);
    if (format === 'json' || format === 'ssh-config') {
      if (p.positional.length) throw usage(`--format ${format} exports ${format === 'json' ? 'everything' : 'every host'}; leave out the names.`, cmd);
      io.stdout.write((await api.call('export', { format: format === 'json' ? 'json' : 'ssh_config' })).text);
      return 0;
    }
    if (format === 'ssh') {
      if (p.positional.length !== 1) throw usage('--format ssh needs one forward name: burrow export --format ssh NAME.', cmd);
      const r = await api.call('export', { format: 'ssh', forwards: p.positional });
      io.stdout.write(r.text);
      for (const note of r.notes ?? []) io.stderr.write(`burrow: note: ${note}\n`);
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
    const api = await openProfileApi(io);
    const [to, name] = [one(p, '--to'), one(p, '--name')];
    // The same handler as the window and the tray: free local port, and PRESET-HOST-2, -3 ... when the name is taken.
    const { forward: f } = await api.call('forward.fromPreset', {
      presetId: pr.id,
      host: via,
      ...(to !== undefined ? { destinationHost: to } : {}),
      ...(name !== undefined ? { name } : {}),
    });
    return out(io, p, f, `Saved forward '${f.name}': ${pr.label} on localhost:${listenPort(f)} (${describeForward(f)}). Start it with: burrow up ${f.name}`);
  },
  'preset',
);
