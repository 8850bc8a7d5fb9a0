// `burrow connect`: forwards through one destination, in the foreground, as ssh -N does.
import { existsSync } from 'node:fs';
import { BurrowError, isBurrowError } from '../../shared/errors';
import { parseForwardSpec, type ForwardKind, type ForwardSpec } from '../../shared/forward-spec';
import { readIdentity } from '../tunnels/auth';
import { TunnelEngine } from '../tunnels/engine';
import type { HostConfig } from '../tunnels/types';
import { DEFAULT_SSH_CONFIG, all, expandTokens, loadSshConfig } from '../sshconfig/ssh-config';
import { parseOption, resolveHost, type OptionList } from '../sshconfig/host-options';
import { has, parseArgs, values } from './args';
import type { CliIO } from './io';
import { ttyPrompter } from './prompter';
import { createReporter, reportEngine, type Reporter } from './reporter';

export const CONNECT_HELP = `Usage: burrow connect [options] destination

Forward ports through an SSH server and stay in the foreground until
interrupted (Ctrl-C or SIGTERM), like 'ssh -N'. Flags are spelled as in OpenSSH.

destination           [user@]host, ssh://[user@]host[:port], or a Host alias
                      from the ssh config

Forwards (repeat as needed):
  -L [bind_address:]port:host:hostport
                      Local forward: connections to port on this machine
                      (bind_address defaults to 127.0.0.1) reach host:hostport
                      as seen from the server. Names are resolved there.
  -L [bind_address:]port:remote_socket
  -L local_socket:host:hostport
                      The same with a Unix socket on either side.
  -R [bind_address:]port:host:hostport
                      Remote forward: the server listens on port (0 lets it
                      choose) and connections reach host:hostport from here.
  -R [bind_address:]port:local_socket
  -R remote_socket:host:hostport
  -D [bind_address:]port
                      Dynamic forward: a SOCKS5 (and SOCKS4a) proxy on port;
                      names are resolved on the server.
  --socks-user USER   Require this user name and a password (SOCKS5 only) on
                      every -D proxy. The password comes from the environment
                      variable BURROW_SOCKS_PASSWORD, else it is asked for on
                      the terminal.

Connection:
  -p port             Port of the SSH server (default 22)
  -l login_name       User to log in as
  -i identity_file    Private key to use (repeatable)
  -J [user@]host[:port][,...]
                      Jump hosts, in order (as ProxyJump)
  -F ssh_config       Read this ssh config instead of ~/.ssh/config
  -o Option=value     An ssh_config option (repeatable). Understood:
                      StrictHostKeyChecking (yes|accept-new|no|ask),
                      UserKnownHostsFile, ServerAliveInterval,
                      ServerAliveCountMax, ConnectTimeout, Ciphers, BatchMode,
                      IdentitiesOnly, IdentityFile, IdentityAgent, Port, User,
                      HostName, ProxyJump, PasswordAuthentication,
                      KbdInteractiveAuthentication, ExitOnForwardFailure

Output:
  --json              One JSON object per line on stdout, each with an
                      "event" field: listening, state, log, error
  -N, -T, -q, -v      Accepted for ssh compatibility (Burrow never runs a shell)
  -h, --help          This help

Exit status: 0 after SIGINT/SIGTERM; 2 for bad input (nothing was started);
1 when the connection or a forward could not be set up.

Example (POP3 on mail.example.com at localhost:1100, through other.example.com):
  burrow connect -L 1100:mail.example.com:110 other.example.com
`;

const FORWARD_FLAGS: Record<string, ForwardKind> = { '-L': 'local', '-R': 'remote', '-D': 'dynamic' };

export interface ConnectPlan {
  host: HostConfig;
  forwards: Array<{ id: string; spec: ForwardSpec }>;
  json: boolean;
  socksUser?: string;
}

/** Everything that can be checked before connecting; throws BurrowError (exit 2). */
export function planConnect(argv: string[], io: CliIO): ConnectPlan {
  const parsed = parseArgs(argv, { withValue: 'LRDiplFoJEc', boolean: 'NTqvfCgh46', long: ['json', 'help'], longWithValue: ['socks-user'] }, 'connect');
  if (parsed.positional.length !== 1) {
    throw new BurrowError('USAGE', parsed.positional.length === 0 ? "Missing destination. Usage: burrow connect [-L spec]... destination (see 'burrow connect --help')." : `Expected one destination, got: ${parsed.positional.join(' ')}.`);
  }
  const forwards: ConnectPlan['forwards'] = [];
  const counters: Record<string, number> = { L: 0, R: 0, D: 0 };
  const addForward = (flag: string, text: string) => {
    const spec = parseForwardSpec(FORWARD_FLAGS[flag], text);
    const letter = flag[1];
    forwards.push({ id: `${letter}${++counters[letter]}`, spec });
  };
  const options: OptionList = [];
  for (const [flag, value] of parsed.flags) {
    if (typeof value !== 'string') continue;
    if (flag in FORWARD_FLAGS) addForward(flag, value);
    else if (flag === '-o') options.push(parseOption(value));
    else if (flag === '-p') options.push(parseOption(`Port=${value}`));
    else if (flag === '-l') options.push(['user', value]);
    else if (flag === '-i') options.push(['identityfile', value]);
    else if (flag === '-J') options.push(['proxyjump', value]);
  }
  // Unreadable or unsupported key files are bad input: refuse before connecting.
  for (const [k, v] of options) if (k === 'identityfile') readIdentity(expandTokens(v, { host: '', alias: '', port: 22, user: '' }));

  const configFile = values(parsed, '-F')[0] ?? (existsSync(DEFAULT_SSH_CONFIG) ? DEFAULT_SSH_CONFIG : undefined);
  const config = configFile ? loadSshConfig(configFile).config : undefined;
  const { host, computed } = resolveHost({ destination: parsed.positional[0], options, config });

  // Forwards the ssh config defines for this host, as ssh would set them up.
  const fromConfig: Array<[string, string]> = [
    ...all(computed.localforward).map((v): [string, string] => ['-L', v]),
    ...all(computed.remoteforward).map((v): [string, string] => ['-R', v]),
    ...all(computed.dynamicforward).map((v): [string, string] => ['-D', v]),
  ];
  for (const [flag, v] of fromConfig) addForward(flag, v.trim().replace(/\s+/, ':'));
  if (forwards.length === 0) {
    throw new BurrowError('USAGE', `Nothing to forward: give at least one -L, -R or -D (for example -L 1100:mail.example.com:110).`);
  }
  const socksUser = values(parsed, '--socks-user')[0];
  if (socksUser !== undefined && !forwards.some((f) => f.spec.kind === 'dynamic')) {
    throw new BurrowError('USAGE', '--socks-user protects a SOCKS proxy: add a -D forward, or leave --socks-user out.');
  }
  return { host, forwards, json: has(parsed, '--json'), socksUser };
}

/** The SOCKS password: BURROW_SOCKS_PASSWORD, else asked on the terminal. */
async function socksPassword(user: string, io: CliIO): Promise<string> {
  const fromEnv = io.env.BURROW_SOCKS_PASSWORD;
  if (fromEnv) return fromEnv;
  const asked = await ttyPrompter(io)?.secret({ kind: 'password', subject: `SOCKS user ${user}`, prompt: `Password for SOCKS user ${user}: ` });
  if (!asked) {
    throw new BurrowError('USAGE', `--socks-user ${user} needs a password: set BURROW_SOCKS_PASSWORD, or run on a terminal to be asked.`);
  }
  return asked;
}

export const EXIT_USAGE = 2;

export function exitCodeFor(err: unknown): number {
  if (!isBurrowError(err)) return 1;
  return ['USAGE', 'SPEC_INVALID', 'PORT_RANGE', 'OPTION_UNKNOWN', 'OPTION_INVALID', 'KEY_UNREADABLE', 'KEY_UNSUPPORTED', 'VALIDATION'].includes(err.code) ? EXIT_USAGE : 1;
}

/** Runs forwards in the foreground until a stop signal; shared with `burrow up`. */
export async function runForwards(engine: TunnelEngine, ids: string[], io: CliIO, reporter: Reporter): Promise<number> {
  for (const id of ids) {
    try {
      await engine.start(id);
    } catch {
      // The engine already reported why (an error event). Nothing stays half-started.
      await engine.shutdown();
      return 1;
    }
  }
  const failedForGood = new Promise<string>((resolve) => {
    engine.on('state', () => {
      if (ids.every((id) => engine.get(id).state.state === 'failed')) resolve('failed');
    });
  });
  const why = await Promise.race([io.stopSignal, failedForGood]);
  await engine.shutdown();
  reporter.event('stopped', { reason: why }, why === 'failed' ? 'every forward failed; exiting' : `stopped (${why})`);
  return why === 'failed' ? 1 : 0;
}

export async function connect(argv: string[], io: CliIO): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout.write(CONNECT_HELP);
    return 0;
  }
  const json = argv.includes('--json');
  const reporter = createReporter(io, json);
  let plan: ConnectPlan;
  try {
    plan = planConnect(argv, io);
    if (plan.socksUser !== undefined) {
      const auth = { username: plan.socksUser, password: await socksPassword(plan.socksUser, io) };
      for (const f of plan.forwards) if (f.spec.kind === 'dynamic') f.spec.socksAuth = auth;
    }
  } catch (e) {
    const err = isBurrowError(e) ? e : new BurrowError('INTERNAL', (e as Error).message);
    reporter.error(err);
    return exitCodeFor(err);
  }
  const engine = new TunnelEngine({ prompter: ttyPrompter(io) });
  reportEngine(engine, reporter);
  for (const f of plan.forwards) engine.add(f.id, plan.host, f.spec);
  return runForwards(
    engine,
    plan.forwards.map((f) => f.id),
    io,
    reporter,
  );
}
