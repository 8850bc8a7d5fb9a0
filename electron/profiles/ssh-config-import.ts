// Importing ~/.ssh/config (or a chosen file) as saved hosts and forwards.
// Parsing and the per-host computation (what `Host *` and other matching blocks
// set) are the `ssh-config` package's; Include and %-tokens come from
// electron/sshconfig/ssh-config.ts. Match blocks are reported, not imported.
import { userInfo } from 'node:os';
import { parseForwardSpec, type ForwardKind } from '../../shared/forward-spec';
import { NAME_PATTERN, listenPort, specEndpoints, type ForwardInput, type HostInput } from '../../shared/model';
import { ALGORITHMS, resolveAlgorithms } from '../tunnels/algorithms';
import { parseDestination } from '../sshconfig/host-options';
import {
  all,
  computeHost,
  configBlocks,
  expandTokens,
  first,
  isPlainHostPattern,
  loadSshConfig,
  parseSshConfigText,
  withoutMatchBlocks,
} from '../sshconfig/ssh-config';
import type { ImportItem, Incoming } from './merge';
import type SSHConfig from 'ssh-config';

export interface SshConfigImport extends Incoming {
  files: string[];
  /** Include patterns that matched nothing, unreadable files. */
  problems: string[];
}

const FORWARD_LABELS: Record<string, string> = { localforward: 'LocalForward', remoteforward: 'RemoteForward', dynamicforward: 'DynamicForward' };

const FORWARD_KEYS: Array<[key: string, kind: ForwardKind, letter: string]> = [
  ['localforward', 'local', 'L'],
  ['remoteforward', 'remote', 'R'],
  ['dynamicforward', 'dynamic', 'D'],
];

export function importSshConfigFile(file: string): SshConfigImport {
  const loaded = loadSshConfig(file);
  return { ...importSshConfig(loaded.config), files: loaded.files, problems: loaded.problems };
}

/**
 * The same for ssh_config text that does not come from a file here (pasted, or
 * a chosen file's contents): Include lines are followed as in the user's
 * config, relative paths against ~/.ssh.
 */
export function importSshConfigText(text: string, label = 'the ssh_config text'): SshConfigImport {
  const loaded = parseSshConfigText(text, label);
  return { ...importSshConfig(loaded.config), files: loaded.files, problems: loaded.problems };
}

/** The import with its problems (Include files not found or unreadable) as report lines; each names the file. */
export function withProblemItems(r: SshConfigImport): Incoming {
  const problems = r.problems.map((reason): ImportItem => ({ kind: 'host', name: 'Include', action: 'skip', reason }));
  return { hosts: r.hosts, forwards: r.forwards, skipped: [...(r.skipped ?? []), ...problems] };
}

/** Hosts and forwards from a parsed config, plus a skip line for everything left out. */
export function importSshConfig(full: SSHConfig): Incoming {
  const config = withoutMatchBlocks(full);
  const hosts: HostInput[] = [];
  const forwards: ForwardInput[] = [];
  const skipped: ImportItem[] = [];
  const byName = new Map<string, HostInput>();
  /** Each Host line's first plain pattern, with the line's other plain patterns (its aliases). */
  const aliases = new Map<string, string[]>();
  /** An alias that only ever follows another name on a Host line -> that first name: one host, not two. */
  const primaryOf = new Map<string, string>();
  /** Why a host was skipped, by its name (its forwards are reported with it). */
  const hostSkips = new Map<string, string>();
  const skipHost = (name: string, reason: string) => {
    skipped.push({ kind: 'host', name, action: 'skip', reason });
    if (!hostSkips.has(name)) hostSkips.set(name, reason);
  };

  for (const block of configBlocks(full)) {
    if (block.kind === 'match') {
      skipped.push({
        kind: 'host',
        name: `Match ${block.patterns.join(' ')}`,
        action: 'skip',
        reason: 'Match blocks are not imported (their conditions cannot be saved); add what they set to the hosts by hand.',
      });
      continue;
    }
    const plain = block.patterns.filter(isPlainHostPattern);
    if (plain.length === 0) {
      skipped.push({
        kind: 'host',
        name: `Host ${block.patterns.join(' ')}`,
        action: 'skip',
        reason: 'a wildcard-only block; what it sets is applied to the hosts it matches.',
      });
      continue;
    }
    const [head, ...rest] = plain;
    primaryOf.delete(head);
    if (!aliases.has(head)) aliases.set(head, []);
    for (const p of rest) {
      if (aliases.has(p) || primaryOf.has(p)) continue;
      primaryOf.set(p, head);
      aliases.get(head)!.push(p);
    }
  }
  // A name that heads a Host line of its own is a host of its own, even if it followed another name elsewhere.
  for (const [head, others] of aliases)
    aliases.set(
      head,
      others.filter((o) => !aliases.has(o)),
    );

  /** Imports one host (an alias, or a jump hop written as [user@]host[:port]); returns its saved name or null. */
  const importHost = (spec: string, trail: string[]): string | null => {
    let dest;
    try {
      dest = parseDestination(spec, true);
    } catch (e) {
      skipHost(spec, (e as Error).message);
      return null;
    }
    if (!dest.user && !dest.port && primaryOf.has(dest.host)) dest = { ...dest, host: primaryOf.get(dest.host)! };
    const name = dest.user || dest.port ? `${dest.user ? `${dest.user}@` : ''}${dest.host}${dest.port ? `-${dest.port}` : ''}` : dest.host;
    if (byName.has(name)) return name;
    if (trail.includes(name)) {
      skipHost(name, `its ProxyJump chain loops (${[...trail, name].join(' -> ')}).`);
      return null;
    }
    const c = computeHost(config, dest.host, dest.user);
    if (first(c.proxycommand) && first(c.proxycommand)!.toLowerCase() !== 'none') {
      skipHost(name, 'it uses ProxyCommand, which Burrow does not run; use ProxyJump instead.');
      return null;
    }
    const port = dest.port ?? (first(c.port) ? Number(first(c.port)) : 22);
    const user = dest.user ?? first(c.user);
    const ctx = { host: dest.host, alias: dest.host, port, user: user ?? userInfo().username };
    const hostname = expandTokens(first(c.hostname) ?? dest.host, ctx);
    const tctx = { ...ctx, host: hostname, hostKeyAlias: first(c.hostkeyalias) };
    const host: HostInput = { name, hostname, port, ...(user ? { user: expandTokens(user, ctx) } : {}) };

    const identities = all(c.identityfile).map((f) => expandTokens(f.replace(/^"|"$/g, ''), tctx));
    host.auth = identities.length ? { method: 'key', keyPath: identities[0] } : { method: 'agent' };
    if (/^yes$/i.test(first(c.identitiesonly) ?? '')) host.auth.identitiesOnly = true;
    const notes: string[] = [];
    if (identities.length > 1) notes.push(`Also had IdentityFile ${identities.slice(1).join(', ')} (only the first is kept).`);

    const interval = first(c.serveraliveinterval);
    const countMax = first(c.serveralivecountmax);
    if (interval !== undefined || countMax !== undefined)
      host.keepalive = { interval: interval !== undefined ? Number(interval) : 15, countMax: countMax !== undefined ? Number(countMax) : 3 };
    const known = first(c.userknownhostsfile);
    if (known) {
      const files = known.split(/\s+/);
      host.knownHostsFile = expandTokens(files[0], tctx);
      if (files.length > 1) notes.push(`Also had UserKnownHostsFile ${files.slice(1).join(' ')} (only the first is kept).`);
    }
    const strict = first(c.stricthostkeychecking)?.toLowerCase();
    if (strict) host.strictHostKeyChecking = (strict === 'off' ? 'no' : strict) as HostInput['strictHostKeyChecking'];
    // Ciphers, KexAlgorithms, HostKeyAlgorithms, MACs: resolved as ssh reads them (+, -, ^, wildcards) by the engine's resolver.
    for (const [key, kind, field] of [
      ['ciphers', 'cipher', 'ciphers'],
      ['kexalgorithms', 'kex', 'kex'],
      ['hostkeyalgorithms', 'hostKey', 'hostKey'],
      ['macs', 'mac', 'mac'],
    ] as const) {
      const value = first(c[key]);
      if (!value) continue;
      try {
        host.algorithms = { ...host.algorithms, [field]: resolveAlgorithms(kind, value).list };
      } catch (e) {
        notes.push(`${ALGORITHMS[kind].option} ${value} not kept: ${(e as Error).message.split('. ')[0]}.`);
      }
    }
    if (notes.length) host.notes = notes.join(' ');
    const others = !dest.user && !dest.port ? (aliases.get(dest.host) ?? []).filter((a) => NAME_PATTERN.test(a)) : [];
    if (others.length) host.aliases = others;
    byName.set(name, host);

    const jump = first(c.proxyjump);
    if (jump && jump.toLowerCase() !== 'none') {
      const hops: string[] = [];
      for (const hop of jump.split(',').map((h) => h.trim())) {
        const hopName = importHost(hop, [...trail, name]);
        if (!hopName) {
          byName.delete(name);
          skipHost(name, `its jump host '${hop}' could not be imported (see that entry).`);
          return null;
        }
        hops.push(hopName);
      }
      host.jump = hops;
    }
    hosts.push(host);
    return name;
  };

  for (const [alias, others] of aliases) {
    let name: string | null = null;
    if (!NAME_PATTERN.test(alias))
      skipHost(alias, `'${alias}' cannot be a Burrow host name (letters, digits and . _ @ + - only); rename the Host in the ssh config to import it.`);
    else name = importHost(alias, []);
    // The forwards ssh would set up for the host under any of its names, each once.
    const seen = new Set<string>();
    for (const [key, kind, letter] of FORWARD_KEYS) {
      const lines = [alias, ...others].flatMap((n) => all(computeHost(config, n)[key]));
      lines.forEach((line, i) => {
        const once = line.trim().replace(/\s+/g, ' ');
        if (seen.has(`${key} ${once}`)) return;
        seen.add(`${key} ${once}`);
        const text = line.trim().replace(/\s+/, ':');
        const label = `${alias} ${FORWARD_LABELS[key]} ${line.trim()}`;
        if (!name) {
          // The forward needs its host: say so, with the host's reason, instead of leaving it out silently.
          const why = hostSkips.get(alias) ?? 'it could not be imported.';
          skipped.push({
            kind: 'forward',
            name: label,
            action: 'skip',
            reason: `its host '${alias}' was skipped because ${why} Add the host in Burrow, then add this forward to it.`,
          });
          return;
        }
        try {
          const ep = specEndpoints(parseForwardSpec(kind, text));
          const id = String(listenPort(ep) ?? i + 1);
          forwards.push({ name: `${name}-${letter}${id}`, ...ep, host: name, tags: ['ssh-config'] } as ForwardInput);
        } catch (e) {
          skipped.push({ kind: 'forward', name: `${name} ${key}`, action: 'skip', reason: (e as Error).message });
        }
      });
    }
  }
  return { hosts, forwards, skipped };
}
