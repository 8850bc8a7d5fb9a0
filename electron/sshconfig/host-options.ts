// OpenSSH-style options (-o Key=value, and what ssh_config says for a host)
// turned into the engine's HostConfig. Command-line values win, as in ssh:
// the first value obtained for an option is the one used.
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { BurrowError } from '../../shared/errors';
import { own } from '../../shared/own-property';
import { parsePort } from '../../shared/forward-spec';
import type { HostConfig, StrictHostKeyChecking } from '../tunnels/types';
import { resolveAlgorithms, type AlgorithmKind } from '../tunnels/algorithms';
import { all, computeHost, expandTokens, first, type ComputedHost } from './ssh-config';
import type SSHConfig from 'ssh-config';

export const DEFAULT_KNOWN_HOSTS = [join(homedir(), '.ssh', 'known_hosts'), join(homedir(), '.ssh', 'known_hosts2')];
export const DEFAULTS = {
  port: 22,
  strictHostKeyChecking: 'ask' as StrictHostKeyChecking,
  serverAliveInterval: 15,
  serverAliveCountMax: 3,
  connectTimeout: 15,
};

const yesNo = (name: string) => (v: string) => {
  if (!/^(yes|no)$/i.test(v)) throw invalid(name, v, 'yes or no');
};
const integer = (name: string, min: number) => (v: string) => {
  if (!/^\d+$/.test(v) || Number(v) < min) throw invalid(name, v, `a whole number of at least ${min}`);
};
const any = () => () => undefined;
const algorithms = (kind: AlgorithmKind) => (v: string) => void resolveAlgorithms(kind, v);
const oneOf = (name: string, words: string[]) => (v: string) => {
  if (!words.includes(v.toLowerCase())) throw invalid(name, v, words.join(', ').replace(/, (\w+)$/, ' or $1'));
};

function invalid(name: string, value: string, expected: string): BurrowError {
  return new BurrowError('OPTION_INVALID', `Bad value '${value}' for ${name}: expected ${expected}.`);
}

/** Every option Burrow understands, by lowercase name, with its proper spelling and a check. */
export const OPTIONS: Record<string, { name: string; check: (v: string) => void }> = {
  stricthostkeychecking: {
    name: 'StrictHostKeyChecking',
    check: (v) => {
      if (!/^(yes|no|ask|accept-new|off)$/i.test(v)) throw invalid('StrictHostKeyChecking', v, 'yes, accept-new, no or ask');
    },
  },
  userknownhostsfile: { name: 'UserKnownHostsFile', check: any() },
  serveraliveinterval: { name: 'ServerAliveInterval', check: integer('ServerAliveInterval', 0) },
  serveralivecountmax: { name: 'ServerAliveCountMax', check: integer('ServerAliveCountMax', 1) },
  connecttimeout: { name: 'ConnectTimeout', check: integer('ConnectTimeout', 1) },
  globalknownhostsfile: { name: 'GlobalKnownHostsFile', check: any() },
  hostkeyalias: { name: 'HostKeyAlias', check: any() },
  ciphers: { name: 'Ciphers', check: algorithms('cipher') },
  kexalgorithms: { name: 'KexAlgorithms', check: algorithms('kex') },
  hostkeyalgorithms: { name: 'HostKeyAlgorithms', check: algorithms('hostKey') },
  macs: { name: 'MACs', check: algorithms('mac') },
  compression: { name: 'Compression', check: yesNo('Compression') },
  addressfamily: { name: 'AddressFamily', check: oneOf('AddressFamily', ['any', 'inet', 'inet6']) },
  gatewayports: { name: 'GatewayPorts', check: yesNo('GatewayPorts') },
  batchmode: { name: 'BatchMode', check: yesNo('BatchMode') },
  identitiesonly: { name: 'IdentitiesOnly', check: yesNo('IdentitiesOnly') },
  identityfile: { name: 'IdentityFile', check: any() },
  identityagent: { name: 'IdentityAgent', check: any() },
  port: { name: 'Port', check: (v) => void parsePort(v, 'Port') },
  user: { name: 'User', check: any() },
  hostname: { name: 'HostName', check: any() },
  proxyjump: { name: 'ProxyJump', check: any() },
  // Only 'none' is of use (it overrides a ProxyCommand from the ssh config): Burrow runs no commands.
  proxycommand: { name: 'ProxyCommand', check: any() },
  passwordauthentication: { name: 'PasswordAuthentication', check: yesNo('PasswordAuthentication') },
  kbdinteractiveauthentication: { name: 'KbdInteractiveAuthentication', check: yesNo('KbdInteractiveAuthentication') },
  exitonforwardfailure: { name: 'ExitOnForwardFailure', check: yesNo('ExitOnForwardFailure') },
};

const NO_SESSION = 'Burrow opens no shell or command session, only the forwards';
/**
 * Options people pass to ssh by habit that change nothing for forwarding: accepted
 * (no exit 2) and said to be ignored, with why. By lowercase name: spelling, why.
 */
export const IGNORED_OPTIONS: Record<string, [name: string, why: string]> = {
  loglevel: ['LogLevel', "Burrow's event lines are chosen with --json and -E"],
  logverbose: ['LogVerbose', "Burrow's event lines are chosen with --json and -E"],
  controlmaster: ['ControlMaster', 'Burrow shares no connection with ssh: each command has its own session'],
  controlpath: ['ControlPath', 'Burrow shares no connection with ssh: each command has its own session'],
  controlpersist: ['ControlPersist', 'Burrow shares no connection with ssh: each command has its own session'],
  forwardagent: ['ForwardAgent', NO_SESSION],
  forwardx11: ['ForwardX11', NO_SESSION],
  forwardx11trusted: ['ForwardX11Trusted', NO_SESSION],
  forwardx11timeout: ['ForwardX11Timeout', NO_SESSION],
  requesttty: ['RequestTTY', NO_SESSION],
  sessiontype: ['SessionType', NO_SESSION],
  stdinnull: ['StdinNull', NO_SESSION],
  sendenv: ['SendEnv', NO_SESSION],
  setenv: ['SetEnv', NO_SESSION],
  remotecommand: ['RemoteCommand', NO_SESSION],
  localcommand: ['LocalCommand', NO_SESSION],
  permitlocalcommand: ['PermitLocalCommand', NO_SESSION],
  escapechar: ['EscapeChar', NO_SESSION],
  visualhostkey: ['VisualHostKey', 'Burrow shows host keys by their SHA256 fingerprint'],
  tcpkeepalive: ['TCPKeepAlive', 'Burrow notices a dead server with ServerAliveInterval keepalives'],
  checkhostip: ['CheckHostIP', 'Burrow checks host keys by name (or HostKeyAlias), as ssh does by default'],
  ipqos: ['IPQoS', 'Burrow leaves the type of service to the system'],
  addkeystoagent: ['AddKeysToAgent', 'Burrow never adds keys to the agent'],
  usekeychain: ['UseKeychain', 'Burrow keeps typed passphrases in memory only'],
};

/** The note for an ignored option, or undefined when the option is used. */
export function ignoredOptionNote(key: string, value: string): string | undefined {
  const ignored = own(IGNORED_OPTIONS, key);
  return ignored && `-o ${ignored[0]}=${value} is ignored: it changes nothing for forwarding (${ignored[1]}).`;
}

export type OptionList = Array<[key: string, value: string]>;

/** Parses "-o Key=value" or "-o 'Key value'"; the key comes back lowercase. */
export function parseOption(arg: string): [string, string] {
  const m = /^\s*([A-Za-z]+)\s*(?:=\s*|\s+)(.*?)\s*$/.exec(arg);
  if (!m || m[2] === '') {
    throw new BurrowError('OPTION_INVALID', `Cannot read -o '${arg}': write it as Option=value, for example -o ServerAliveInterval=30.`);
  }
  const key = m[1].toLowerCase();
  if (own(IGNORED_OPTIONS, key) !== undefined) return [key, m[2]];
  const known = own(OPTIONS, key);
  if (!known) {
    const names = Object.values(OPTIONS)
      .map((o) => o.name)
      .join(', ');
    throw new BurrowError('OPTION_UNKNOWN', `Unknown option '${m[1]}' in -o ${arg}. Burrow understands: ${names}.`);
  }
  known.check(m[2]);
  return [key, m[2]];
}

export interface Destination {
  user?: string;
  host: string;
  port?: number;
}

/** `[user@]host[:port]` (the port only for jump hosts and ssh:// URIs) or `ssh://[user@]host[:port]`. */
export function parseDestination(text: string, allowPort = false): Destination {
  let rest = text;
  const uri = rest.startsWith('ssh://');
  if (uri) rest = rest.slice('ssh://'.length).replace(/\/$/, '');
  const at = rest.lastIndexOf('@');
  const user = at >= 0 ? rest.slice(0, at) : undefined;
  rest = at >= 0 ? rest.slice(at + 1) : rest;
  let host = rest;
  let port: number | undefined;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
  if (bracket) {
    host = bracket[1];
    if (bracket[2]) port = parsePort(bracket[2], 'Port');
  } else if ((uri || allowPort) && /^[^:]+:\d+$/.test(rest)) {
    const i = rest.lastIndexOf(':');
    host = rest.slice(0, i);
    port = parsePort(rest.slice(i + 1), 'Port');
  }
  if (!host || /[\s/]/.test(host) || (!bracket && host.includes(':') && !/^[0-9a-f:]+$/i.test(host))) {
    throw new BurrowError('USAGE', `Bad destination '${text}': expected [user@]host or ssh://[user@]host[:port].`);
  }
  if (user === '') throw new BurrowError('USAGE', `Bad destination '${text}': the user name before @ is empty.`);
  return { user, host, port };
}

function lookup(cli: OptionList, computed: ComputedHost, key: string): string | undefined {
  const fromCli = cli.find(([k]) => k === key);
  return fromCli ? fromCli[1] : first(computed[key]);
}

function lookupAll(cli: OptionList, computed: ComputedHost, key: string): string[] {
  return [...cli.filter(([k]) => k === key).map(([, v]) => v), ...all(computed[key])];
}

export interface ResolveInput {
  destination: string;
  /** Options from the command line (-o, and -p/-l/-i/-J mapped to their option names), in order. */
  options: OptionList;
  config?: SSHConfig;
  /** How many of `options` came before the destination on the command line: a User among them wins over user@ (ssh keeps the first value given). */
  destinationAt?: number;
}

export interface ResolvedHost {
  host: HostConfig;
  /** What ssh_config says for the host (lowercase keys), e.g. its LocalForward lines. */
  computed: ComputedHost;
}

/** Options that describe one hop; the rest (keys, known_hosts, keepalive...) apply to every hop. */
const PER_HOP = new Set(['port', 'user', 'hostname', 'proxyjump', 'proxycommand', 'hostkeyalias']);

/**
 * ProxyJump or ProxyCommand, whichever was given first (as in OpenSSH, the first
 * one obtained keeps the other from taking effect): the command line, then the
 * ssh config in file order.
 */
function proxyChoice(cli: OptionList, computed: ComputedHost): { kind: 'proxyjump' | 'proxycommand'; value: string; fromCli: boolean } | undefined {
  const onCli = cli.find(([k]) => k === 'proxyjump' || k === 'proxycommand');
  if (onCli) return { kind: onCli[0] as 'proxyjump' | 'proxycommand', value: onCli[1], fromCli: true };
  const inConfig = Object.keys(computed).find((k) => k === 'proxyjump' || k === 'proxycommand') as 'proxyjump' | 'proxycommand' | undefined;
  if (!inConfig) return undefined;
  const value = computed[inConfig];
  return { kind: inConfig, value: Array.isArray(value) ? value.join(' ') : value, fromCli: false };
}

/** An algorithm list option resolved against ssh2's lists; a bad value in the ssh config says where it came from. */
function algorithmOption(cli: OptionList, computed: ComputedHost, key: string, kind: AlgorithmKind, host: string) {
  const fromCli = cli.find(([k]) => k === key);
  const value = fromCli ? fromCli[1] : first(computed[key]);
  if (value === undefined) return undefined;
  try {
    return resolveAlgorithms(kind, value);
  } catch (e) {
    if (fromCli || !(e instanceof BurrowError)) throw e;
    throw new BurrowError(e.code, `In the ssh config for ${host}: ${e.message}`);
  }
}

export function resolveHost(input: ResolveInput, depth = 0): ResolvedHost {
  if (depth > 8) throw new BurrowError('USAGE', 'The ProxyJump chain is longer than 8 hops, or loops. Check ProxyJump in your ssh config.');
  const dest = parseDestination(input.destination, depth > 0 || input.destination.startsWith('ssh://'));
  const cli = input.options;
  const userFirst = cli.slice(0, input.destinationAt ?? 0).find(([k]) => k === 'user')?.[1] ?? dest.user;
  const computed = input.config ? computeHost(input.config, dest.host, userFirst) : {};
  const hostnameRaw = lookup(cli, computed, 'hostname') ?? dest.host;
  const portText = dest.port !== undefined ? String(dest.port) : lookup(cli, computed, 'port');
  const port = portText ? parsePort(portText, 'Port') : DEFAULTS.port;
  const user = userFirst ?? lookup(cli, computed, 'user') ?? userInfo().username;
  const ctx = { host: dest.host, alias: dest.host, port, user };
  const hostname = expandTokens(hostnameRaw, ctx);
  const hostKeyAlias = lookup(cli, computed, 'hostkeyalias');
  const tctx = { ...ctx, host: hostname, hostKeyAlias };

  const knownHosts = lookup(cli, computed, 'userknownhostsfile');
  const strict = (lookup(cli, computed, 'stricthostkeychecking') ?? DEFAULTS.strictHostKeyChecking).toLowerCase();
  const agent = lookup(cli, computed, 'identityagent');
  const ciphers = algorithmOption(cli, computed, 'ciphers', 'cipher', dest.host);
  const kex = algorithmOption(cli, computed, 'kexalgorithms', 'kex', dest.host);
  const macs = algorithmOption(cli, computed, 'macs', 'mac', dest.host);
  const hostKeyAlgorithms = algorithmOption(cli, computed, 'hostkeyalgorithms', 'hostKey', dest.host);
  const globalKnownHosts = lookup(cli, computed, 'globalknownhostsfile');
  const family = lookup(cli, computed, 'addressfamily')?.toLowerCase();
  if (family !== undefined) OPTIONS.addressfamily.check(family);
  const num = (key: string, dflt: number) => {
    const v = lookup(cli, computed, key);
    return v === undefined ? dflt : Number(v);
  };
  const yes = (key: string, dflt: boolean) => {
    const v = lookup(cli, computed, key);
    return v === undefined ? dflt : v.toLowerCase() === 'yes';
  };

  let jump: HostConfig[] = [];
  const proxy = proxyChoice(cli, computed);
  if (proxy?.kind === 'proxycommand' && proxy.value.trim().toLowerCase() !== 'none') {
    throw new BurrowError(
      'USAGE',
      `${proxy.fromCli ? '-o ProxyCommand' : `The ssh config sets ProxyCommand for ${dest.host}`} (${proxy.value}): Burrow does not run ProxyCommand, ` +
        `and does not connect directly in its place. If the command reaches ${dest.host} through another host (for example 'ssh -W %h:%p bastion'), ` +
        `use ProxyJump bastion in the ssh config, or -J bastion. To connect directly, pass -o ProxyCommand=none.`,
    );
  }
  const proxyJump = proxy?.kind === 'proxyjump' ? proxy.value : undefined;
  if (proxyJump && proxyJump.toLowerCase() !== 'none') {
    const shared = cli.filter(([k]) => !PER_HOP.has(k));
    jump = proxyJump
      .split(',')
      .map((hop) => {
        const r = resolveHost({ destination: hop.trim(), options: shared, config: input.config }, depth + 1);
        // A hop's own ProxyJump comes before it in the chain.
        return [...r.host.jump, { ...r.host, jump: [] }];
      })
      .flat();
  }

  const host: HostConfig = {
    alias: dest.host,
    hostname,
    port,
    user,
    identityFiles: lookupAll(cli, computed, 'identityfile').map((f) => expandTokens(f, tctx)),
    identitiesOnly: yes('identitiesonly', false),
    agent: agent === undefined ? undefined : agent.toLowerCase() === 'none' ? null : expandTokens(agent, tctx),
    tryKeyboardInteractive: yes('kbdinteractiveauthentication', true),
    knownHostsFiles: knownHosts ? knownHosts.split(/\s+/).map((f) => expandTokens(f, tctx)) : DEFAULT_KNOWN_HOSTS,
    ...(globalKnownHosts !== undefined && {
      globalKnownHostsFiles: globalKnownHosts.toLowerCase() === 'none' ? [] : globalKnownHosts.split(/\s+/).map((f) => expandTokens(f, tctx)),
    }),
    ...(hostKeyAlias !== undefined && { hostKeyAlias }),
    strictHostKeyChecking: (strict === 'off' ? 'no' : strict) as StrictHostKeyChecking,
    serverAliveInterval: num('serveraliveinterval', DEFAULTS.serverAliveInterval),
    serverAliveCountMax: num('serveralivecountmax', DEFAULTS.serverAliveCountMax),
    connectTimeout: num('connecttimeout', DEFAULTS.connectTimeout),
    ciphers: ciphers?.list,
    ...(kex && { kexAlgorithms: kex.list }),
    ...(macs && { macs: macs.list }),
    ...(hostKeyAlgorithms && {
      hostKeyAlgorithms: hostKeyAlgorithms.list,
      // As OpenSSH: only a list written out in full (or ^list) keeps its own order.
      hostKeyAlgorithmsAsGiven: hostKeyAlgorithms.form === 'list' || hostKeyAlgorithms.form === '^',
    }),
    ...(yes('compression', false) && { compression: true }),
    ...(family === 'inet' ? { addressFamily: 4 as const } : family === 'inet6' ? { addressFamily: 6 as const } : {}),
    ...(yes('exitonforwardfailure', false) && { exitOnForwardFailure: true }),
    batchMode: yes('batchmode', false),
    passwordAuthentication: yes('passwordauthentication', true),
    jump,
  };
  return { host, computed };
}
