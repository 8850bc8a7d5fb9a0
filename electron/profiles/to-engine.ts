// Saved profiles -> what the tunnel engine runs: a Host (with its jump chain,
// by reference) becomes a HostConfig, a Forward a ForwardSpec.
import { userInfo } from 'node:os';
import { BurrowError } from '../../shared/errors';
import { forwardSpec, type Forward, type Host, type Settings } from '../../shared/model';
import type { ForwardSpec } from '../../shared/forward-spec';
import { DEFAULTS, DEFAULT_KNOWN_HOSTS } from '../sshconfig/host-options';
import { expandTokens, type TokenContext } from '../sshconfig/ssh-config';
import type { HostConfig } from '../tunnels/types';

export interface EngineHostOptions {
  /** Looks a host up by name (jump hosts). */
  lookup: (name: string) => Host | undefined;
  settings: Pick<Settings, 'keepalive'>;
  /** Stored passwords by host name (method 'password'); absent ones are asked for. */
  passwords?: ReadonlyMap<string, string>;
  /** Never ask a person (no TTY, no window). */
  batchMode?: boolean;
  /** SOCKS passwords by forward name (dynamic forwards with a socksUser); absent ones are asked for at start. */
  socksPasswords?: ReadonlyMap<string, string>;
}

/** True when the spec has a SOCKS login whose password must be supplied before starting. */
export function needsSocksPassword(spec: ForwardSpec): boolean {
  return spec.socksAuth !== undefined && spec.socksAuth.password === null;
}

/** The %-tokens of a saved host's paths, as ssh_config(5) defines them for this host. */
function tokenContext(host: Host): TokenContext {
  return { host: host.hostname, alias: host.name, port: host.port, user: host.user ?? userInfo().username };
}

/** The key file a saved host uses, ~ and %-tokens expanded (undefined without one). */
export function hostKeyFile(host: Host): string | undefined {
  return host.auth.method === 'key' && host.auth.keyPath ? expandTokens(host.auth.keyPath, tokenContext(host)) : undefined;
}

export function toHostConfig(host: Host, opts: EngineHostOptions, trail: string[] = []): HostConfig {
  if (trail.includes(host.name))
    throw new BurrowError('VALIDATION', `The jump hosts of '${trail[0]}' loop (${[...trail, host.name].join(' -> ')}); break the loop.`);
  if (trail.length > 8) throw new BurrowError('VALIDATION', `The jump chain of '${trail[0]}' is longer than 8 hops; shorten it.`);
  const keepalive = host.keepalive ?? opts.settings.keepalive;
  const jump = host.jump.flatMap((name) => {
    const hop = opts.lookup(name);
    if (!hop)
      throw new BurrowError(
        'NOT_FOUND',
        `Host '${host.name}' jumps through '${name}', which is not a saved host; add it or edit the jump list of '${host.name}'.`,
      );
    const cfg = toHostConfig(hop, opts, [...trail, host.name]);
    // A hop's own jump hosts come before it, as with ProxyJump.
    return [...cfg.jump, { ...cfg, jump: [] }];
  });
  // Paths may hold ssh_config's %-tokens (IdentityFile ~/.ssh/id_%r): expanded at each use, as ssh does.
  const tokens = tokenContext(host);
  const keyFile = hostKeyFile(host);
  return {
    alias: host.name,
    hostname: host.hostname,
    port: host.port,
    user: tokens.user,
    identityFiles: keyFile ? [keyFile] : [],
    identitiesOnly: host.auth.identitiesOnly ?? false,
    password: host.auth.method === 'password' ? opts.passwords?.get(host.name) : undefined,
    savedPassword: host.auth.method === 'password' && host.auth.secretRef && !opts.passwords?.has(host.name) ? host.name : undefined,
    passwordAuthentication: true,
    tryKeyboardInteractive: true,
    knownHostsFiles: host.knownHostsFile ? [expandTokens(host.knownHostsFile, tokens)] : DEFAULT_KNOWN_HOSTS,
    strictHostKeyChecking: host.strictHostKeyChecking,
    serverAliveInterval: keepalive.interval,
    serverAliveCountMax: keepalive.countMax,
    connectTimeout: DEFAULTS.connectTimeout,
    ciphers: host.algorithms?.ciphers ? [...host.algorithms.ciphers] : undefined,
    kexAlgorithms: host.algorithms?.kex ? [...host.algorithms.kex] : undefined,
    macs: host.algorithms?.mac ? [...host.algorithms.mac] : undefined,
    // A saved list is the person's order (as an explicit HostKeyAlgorithms in OpenSSH): not re-sorted by known_hosts.
    ...(host.algorithms?.hostKey ? { hostKeyAlgorithms: [...host.algorithms.hostKey], hostKeyAlgorithmsAsGiven: true } : {}),
    batchMode: opts.batchMode ?? false,
    jump,
  };
}

export interface EngineForward {
  id: string;
  host: HostConfig;
  spec: ForwardSpec;
}

/** The engine's view of a saved forward; the forward's name is its engine id. */
export function toEngineForward(f: Forward, opts: EngineHostOptions): EngineForward {
  const host = opts.lookup(f.host);
  if (!host) throw new BurrowError('NOT_FOUND', `Forward '${f.name}' goes through host '${f.host}', which is not saved; add the host or edit the forward.`);
  const spec = forwardSpec(f);
  if (f.kind === 'dynamic' && f.socksUser !== undefined) {
    spec.socksAuth = { username: f.socksUser, password: opts.socksPasswords?.get(f.name) ?? null };
  }
  if (f.healthCheckAtStart) spec.healthCheckAtStart = true;
  return { id: f.name, host: toHostConfig(host, opts), spec };
}
