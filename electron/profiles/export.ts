// Export: profiles as JSON (never a secret), one forward as an `ssh` command
// line, hosts as an ssh_config fragment. And reading such a JSON file back.
import { BurrowError } from '../../shared/errors';
import { REQUEST_LIMITS } from '../../shared/contract';
import { fieldOf, shapeProblems } from '../../shared/input-shape';
import { forwardFlag, formatForwardSpec } from '../../shared/forward-spec';
import { nestForward } from './migrations';
import { DEFAULT_KEEPALIVE, SCHEMA_VERSION, forwardSpec, type Forward, type Host, type ProfileDocument } from '../../shared/model';
import type { Incoming } from './merge';

export const EXPORT_FORMAT = 'burrow-profiles';

export interface ProfilesExport {
  format: typeof EXPORT_FORMAT;
  schemaVersion: number;
  exportedAt: string;
  hosts: Host[];
  forwards: Forward[];
}

function withoutSecret(h: Host): Host {
  const { secretRef: _drop, ...auth } = h.auth;
  return { ...h, auth };
}

/** A forward as exported: the SOCKS user name stays, the password's reference does not. */
function forwardWithoutSecret(f: Forward): Forward {
  const { socksSecretRef: _drop, ...rest } = f;
  return rest;
}

export function exportJson(doc: ProfileDocument, now = new Date()): ProfilesExport {
  return {
    format: EXPORT_FORMAT,
    schemaVersion: SCHEMA_VERSION,
    exportedAt: now.toISOString(),
    hosts: doc.hosts.map(withoutSecret),
    forwards: doc.forwards.map(forwardWithoutSecret),
  };
}

/** What an OpenSSH export of this forward leaves out; null when nothing. */
export function sshExportNote(f: Forward): string | null {
  if (f.kind !== 'dynamic' || !f.socksUser) return null;
  return `forward '${f.name}' requires the SOCKS login '${f.socksUser}' in Burrow, but OpenSSH's SOCKS proxy (-D, DynamicForward) has no login: any program on this machine can use it.`;
}

/** Reads an export file's text into what importProfiles takes; entries are validated there, one by one. */
export function parseExport(text: string, source = 'the file'): Incoming {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new BurrowError('VALIDATION', `${source} is not JSON (${(e as Error).message}); give a file made by 'burrow export --format json'.`);
  }
  // Each entry is validated and reported: the same limits as a request keep that bounded.
  const shape = shapeProblems(value, REQUEST_LIMITS);
  if (shape.length) throw new BurrowError('VALIDATION', `${source}: ${shape[0].path.length ? fieldOf(shape[0].path) : 'the text'} ${shape[0].message}`);
  const v = value as Partial<ProfilesExport> | null;
  if (!v || typeof v !== 'object' || v.format !== EXPORT_FORMAT) {
    throw new BurrowError(
      'VALIDATION',
      `${source} is not a Burrow profile export (its "format" is not "${EXPORT_FORMAT}"); give a file made by 'burrow export --format json'.`,
    );
  }
  if (typeof v.schemaVersion === 'number' && v.schemaVersion > SCHEMA_VERSION) {
    throw new BurrowError(
      'VALIDATION',
      `${source} comes from a newer Burrow (schema version ${v.schemaVersion}; this one knows ${SCHEMA_VERSION}); update Burrow to import it.`,
    );
  }
  if (!Array.isArray(v.hosts ?? []) || !Array.isArray(v.forwards ?? [])) {
    throw new BurrowError('VALIDATION', `${source}: "hosts" and "forwards" must be lists; give a file made by 'burrow export --format json'.`);
  }
  const forwards = (v.forwards ?? []) as unknown[];
  // An export from schema 1 has flat forward endpoints: nested as the profile file's migration does.
  return { hosts: (v.hosts ?? []) as unknown[], forwards: v.schemaVersion === 1 ? forwards.map(nestForward) : forwards };
}

/**
 * The name of a saved host in an exported ssh_config: its own name, with '@'
 * spelled '-at-' (ssh reads `a@b` as user a at host b, in `ssh a@b` and in ProxyJump).
 */
export function sshAlias(name: string): string {
  return name.replace(/@/g, '-at-');
}

/** The options ssh needs to reach `host` as saved, but its jump hosts. */
function hostOptions(h: Host): Array<[string, string]> {
  const out: Array<[string, string]> = [['HostName', h.hostname]];
  if (h.user) out.push(['User', h.user]);
  if (h.port !== 22) out.push(['Port', String(h.port)]);
  if (h.auth.method === 'key' && h.auth.keyPath) out.push(['IdentityFile', h.auth.keyPath]);
  if (h.auth.identitiesOnly) out.push(['IdentitiesOnly', 'yes']);
  if (h.auth.method === 'password') out.push(['PreferredAuthentications', 'password,keyboard-interactive']);
  const ka = h.keepalive;
  if (ka) {
    out.push(['ServerAliveInterval', String(ka.interval)]);
    out.push(['ServerAliveCountMax', String(ka.countMax)]);
  }
  if (h.knownHostsFile) out.push(['UserKnownHostsFile', h.knownHostsFile]);
  if (h.strictHostKeyChecking !== 'ask') out.push(['StrictHostKeyChecking', h.strictHostKeyChecking]);
  if (h.algorithms?.ciphers) out.push(['Ciphers', h.algorithms.ciphers.join(',')]);
  if (h.algorithms?.kex) out.push(['KexAlgorithms', h.algorithms.kex.join(',')]);
  if (h.algorithms?.hostKey) out.push(['HostKeyAlgorithms', h.algorithms.hostKey.join(',')]);
  if (h.algorithms?.mac) out.push(['MACs', h.algorithms.mac.join(',')]);
  return out;
}

/** Hosts as an ssh_config fragment (Host blocks), with the forwards that go through each. */
export function exportSshConfig(doc: ProfileDocument): string {
  const blocks = doc.hosts.map((h) => {
    // Jump hosts by their exported names, so that each hop is reached with its own options (key, known_hosts).
    const jump: Array<[string, string]> = h.jump.length ? [['ProxyJump', h.jump.map(sshAlias).join(',')]] : [];
    const options = [...hostOptions(h), ...jump].map(([k, v]) => `    ${k} ${/\s/.test(v) ? `"${v}"` : v}`);
    const lines = [`Host ${[h.name, ...(h.aliases ?? [])].map(sshAlias).join(' ')}`, ...options];
    for (const f of doc.forwards.filter((x) => x.host === h.name)) {
      const key = f.kind === 'local' ? 'LocalForward' : f.kind === 'remote' ? 'RemoteForward' : 'DynamicForward';
      // ssh_config separates the listening side from the destination with a space.
      const text = f.kind === 'dynamic' ? formatForwardSpec(forwardSpec(f)) : splitListen(f);
      lines.push(`    # forward '${f.name}'`);
      const note = sshExportNote(f);
      if (note) lines.push(`    # Note: ${note}`);
      lines.push(`    ${key} ${text}`);
    }
    return lines.join('\n');
  });
  const header = `# Exported by Burrow (profile schema ${SCHEMA_VERSION}). Passwords are not exported.\n`;
  return header + (blocks.length ? `\n${blocks.join('\n\n')}\n` : '');
}

function splitListen(f: Forward): string {
  const spec = forwardSpec(f);
  const listen = formatForwardSpec({ kind: 'dynamic', listen: spec.listen });
  const target = formatForwardSpec(spec).slice(listen.length + 1);
  return `${listen} ${target}`;
}

/** ssh's arguments to reach a saved host with its own options (not its jumps), destination last. */
function sshArgs(h: Host): string[] {
  const args: string[] = [];
  for (const [k, v] of hostOptions({ ...h, keepalive: h.keepalive ?? DEFAULT_KEEPALIVE })) {
    if (k === 'HostName' || k === 'User') continue;
    if (k === 'Port') args.push('-p', v);
    else if (k === 'IdentityFile') args.push('-i', v);
    else args.push('-o', `${k}=${v}`);
  }
  args.push(`${h.user ? `${h.user}@` : ''}${h.hostname}`);
  return args;
}

function requireHost(doc: ProfileDocument, name: string, what: string): Host {
  const h = doc.hosts.find((x) => x.name === name);
  if (!h) throw new BurrowError('NOT_FOUND', `${what} goes through host '${name}', which is not saved.`);
  return h;
}

/**
 * The ProxyCommand that reaches `to` through its jump chain (outermost first),
 * each hop with its own key and options: ssh -J would reach every hop with
 * ssh's defaults. Each hop's -W names the next host literally (no %h tokens,
 * so nothing to escape when commands nest).
 */
function proxyCommand(to: Host, doc: ProfileDocument, what: string): string {
  let command: string | undefined;
  const chain = to.jump.map((name) => requireHost(doc, name, what));
  chain.forEach((hop, i) => {
    const next = chain[i + 1] ?? to;
    const nextAt = `${next.hostname.includes(':') ? `[${next.hostname}]` : next.hostname}:${next.port}`;
    const args = ['ssh', ...(command ? ['-o', `ProxyCommand=${command}`] : []), '-W', nextAt, ...sshArgs(hop)];
    command = args.map(shellQuote).join(' ');
  });
  return command!;
}

/** A hop as -J writes it: [user@]host[:port]. */
function hopSpec(h: Host): string {
  const host = h.hostname.includes(':') ? `[${h.hostname}]` : h.hostname;
  return `${h.user ? `${h.user}@` : ''}${host}${h.port !== 22 ? `:${h.port}` : ''}`;
}

/** The `ssh` command line that sets up one forward as saved. */
export function exportSshCommand(f: Forward, doc: ProfileDocument): string {
  const h = requireHost(doc, f.host, `Forward '${f.name}'`);
  const hops = h.jump.map((name) => requireHost(doc, name, `Host '${h.name}'`));
  // -J is enough when no hop has options of its own (ssh reaches -J hops with its defaults).
  const plain = hops.every((hop) => hostOptions(hop).every(([k]) => k === 'HostName' || k === 'User' || k === 'Port'));
  const jump = !hops.length ? [] : plain ? ['-J', hops.map(hopSpec).join(',')] : ['-o', `ProxyCommand=${proxyCommand(h, doc, `Host '${h.name}'`)}`];
  return ['ssh', '-N', forwardFlag(f.kind), formatForwardSpec(forwardSpec(f)), ...jump, ...sshArgs(h)].map(shellQuote).join(' ');
}

/**
 * POSIX shell quoting for one word: left bare when it holds only characters no
 * shell treats specially, else single-quoted. (shell-quote escapes ':' '@' '='
 * with backslashes, which is valid but unreadable in a command people copy.)
 */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./~-]+$/.test(word) && !word.startsWith('~') ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
