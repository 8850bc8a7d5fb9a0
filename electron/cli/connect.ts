// `burrow connect`: forwards through one destination, in the foreground, as ssh -N does.
import { existsSync } from 'node:fs';
import { BurrowError, ERROR_INFO, isBurrowError } from '../../shared/errors';
import { parseForwardSpec, type ForwardKind, type ForwardSpec } from '../../shared/forward-spec';
import { readIdentity } from '../tunnels/auth';
import { TunnelEngine } from '../tunnels/engine';
import { sessionKey } from '../tunnels/session';
import type { HostConfig } from '../tunnels/types';
import { DEFAULT_SSH_CONFIG, all, expandTokens, first, loadSshConfig } from '../sshconfig/ssh-config';
import { ignoredOptionNote, OPTIONS, parseOption, resolveHost, type OptionList } from '../sshconfig/host-options';
import { checkAddressFamily, checkAddressFamilyResolves } from '../sshconfig/address-family';
import { has, parseArgs, values, type FlagSpec } from './args';
import { isFidoKeyFile, setFidoKeysAside } from './fido-keys';
import { exitCodeFor } from './exit-codes';
import { appendLogFile, type CliIO } from './io';
import { ttyPrompter } from './prompter';
import { connectHints, createReporter, reportEngine, warnExposure, type Reporter } from './reporter';
import { listenForRetryNow, RETRY_HINT } from './retry-now';

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
  -g                  Local forwards (-L, -D) given without a bind address
                      listen on every address, IPv4 and IPv6, so that other
                      machines can connect (as -o GatewayPorts=yes). Without
                      it they listen on 127.0.0.1. A bind address of localhost
                      means 127.0.0.1 and ::1; * means every address.

Connection:
  -p port             Port of the SSH server (default 22)
  -l login_name       User to log in as. As in ssh, the first of -l, -o User
                      and user@ given on the command line wins
  -i identity_file    Private key to use (repeatable); a file other users may
                      read is refused (chmod 600 it), as ssh does. FIDO security-key
                      (sk-*) keys cannot be used, not even through ssh-agent:
                      Burrow skips them with a warning and tries the rest.
  -J [user@]host[:port][,...]
                      Jump hosts, in order (as ProxyJump). Burrow does not run
                      ProxyCommand: a host whose ssh config sets one is refused
                      (use ProxyJump, or -o ProxyCommand=none).
  -F ssh_config       Read this ssh config instead of ~/.ssh/config
  -c cipher_spec      Ciphers to offer, as -o Ciphers: a list, or +list,
                      -list or ^list to append to, remove from or put first in
                      the default list
  -C                  Compress the connection (zlib), as -o Compression=yes
  -4                  Connect to the SSH server over IPv4 only
                      (as -o AddressFamily=inet)
  -6                  Connect to the SSH server over IPv6 only
                      (as -o AddressFamily=inet6)
  -o Option=value     An ssh_config option (repeatable). Understood:
${wrapList(
  Object.values(OPTIONS).map((o) => o.name),
  22,
  78,
)}.
                      StrictHostKeyChecking is yes, accept-new, no or ask;
                      ProxyCommand only as none. Known hosts are also read
                      from /etc/ssh/ssh_known_hosts (GlobalKnownHostsFile),
                      which Burrow never writes.
                      With ExitOnForwardFailure=yes Burrow exits (status 1)
                      when any forward cannot be set up; without it the
                      others keep running.

Output:
  --json              One JSON object per line on stdout, each with an
                      "event" field: listening, state, log, error
  -E log_file         Append the event lines meant for people to log_file
                      (each with the time) instead of stderr; --json output
                      and questions (passwords, host keys) are not affected
  -N, -T, -q, -v      Accepted for ssh compatibility (Burrow never runs a shell)
  -A, -a, -X, -x, -Y, -t, -k
                      Accepted and ignored, with a note: they concern a shell
                      session. So are -o LogLevel, ControlMaster, ControlPath,
                      ControlPersist, ForwardAgent, RequestTTY, SendEnv and
                      other options that change nothing for forwarding
  -f                  Refused: Burrow has no background mode. Keep it in the
                      foreground under a service manager (systemd --user,
                      launchd), or run the forward in the desktop app.
  -h, --help          This help

Reconnecting: after a drop Burrow reconnects by itself, with a countdown
between attempts. Press Enter on the terminal, or send SIGUSR1
(kill -USR1 PID), to retry at once instead of waiting.

Exit status: 0 after SIGINT/SIGTERM; 2 for bad input (nothing was started);
1 when the connection or every forward could not be set up (or any of
them, with ExitOnForwardFailure=yes).

Example (POP3 on mail.example.com at localhost:1100, through other.example.com):
  burrow connect -L 1100:mail.example.com:110 other.example.com
`;

const FORWARD_FLAGS: Record<string, ForwardKind> = { '-L': 'local', '-R': 'remote', '-D': 'dynamic' };

/** Every flag `burrow connect` accepts; the help documents each one. */
export const CONNECT_FLAGS: FlagSpec = { withValue: 'LRDiplFoJEc', boolean: 'NTqvfCgh46AaXxYtk', long: ['json', 'help'], longWithValue: ['socks-user'] };

/** ssh flags people type by habit that change nothing for forwarding: accepted, with a note (as -o IGNORED_OPTIONS). */
const IGNORED_FLAGS: Record<string, string> = {
  '-A': 'agent forwarding is for a shell session, and Burrow opens none',
  '-a': 'Burrow never forwards the agent',
  '-X': 'X11 forwarding is for a shell session, and Burrow opens none',
  '-Y': 'X11 forwarding is for a shell session, and Burrow opens none',
  '-x': 'Burrow never forwards X11',
  '-t': 'a terminal is for a shell session, and Burrow opens none',
  '-k': 'Burrow never delegates GSSAPI credentials',
};

/** Words laid out in lines between two columns. */
function wrapList(words: string[], indent: number, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    const next = line ? `${line}, ${w}` : w;
    if (indent + next.length + 1 > width && line) {
      lines.push(`${line},`);
      line = w;
    } else line = next;
  }
  lines.push(line);
  return lines.map((l) => ' '.repeat(indent) + l).join('\n');
}

/** True when a -L/-D spec gives no bind address (then -g / GatewayPorts decides where it listens). */
function withoutBindAddress(kind: ForwardKind, text: string): boolean {
  // A spec without one is still valid with "*:" in front; one with a bind address (or a socket path) is not.
  try {
    parseForwardSpec(kind, `*:${text}`);
    return true;
  } catch {
    return false;
  }
}

export interface ConnectPlan {
  host: HostConfig;
  forwards: Array<{ id: string; spec: ForwardSpec }>;
  json: boolean;
  socksUser?: string;
}

/**
 * Everything that can be checked before connecting; throws BurrowError (exit 2).
 * With -E, from then on the event lines for people go to the log file (io.log).
 */
export function planConnect(argv: string[], io: CliIO): ConnectPlan {
  const parsed = parseArgs(argv, CONNECT_FLAGS, 'connect');
  if (has(parsed, '-f')) {
    throw new BurrowError(
      'USAGE',
      "-f (go to the background) is not supported: Burrow has no background mode. Run 'burrow connect' in the foreground under a service manager " +
        '(a systemd --user service, launchd, or a terminal multiplexer), or save the forward and run it in the desktop app, which keeps it running from the tray.',
    );
  }
  if (parsed.positional.length !== 1) {
    throw new BurrowError(
      'USAGE',
      parsed.positional.length === 0
        ? "Missing destination. Usage: burrow connect [-L spec]... destination (see 'burrow connect --help')."
        : `Expected one destination, got: ${parsed.positional.join(' ')}.`,
    );
  }
  const specs: Array<[flag: string, text: string]> = [];
  const options: OptionList = [];
  /** Notes about options that change nothing for forwarding. */
  const ignored: string[] = [];
  // As ssh, the first user given wins: -l or -o User before the destination beats its user@.
  let destinationAt = 0;
  for (const [i, [flag, value]] of parsed.flags.entries()) {
    if (i === parsed.positionalAfter[0]) destinationAt = options.length;
    if (flag in FORWARD_FLAGS) specs.push([flag, value as string]);
    else if (flag === '-o') {
      const option = parseOption(value as string);
      options.push(option);
      const note = ignoredOptionNote(...option);
      if (note) ignored.push(note);
    } else if (flag in IGNORED_FLAGS) ignored.push(`${flag} is ignored: it changes nothing for forwarding (${IGNORED_FLAGS[flag]}).`);
    else if (flag === '-p') options.push(parseOption(`Port=${value}`));
    else if (flag === '-l') options.push(['user', value as string]);
    else if (flag === '-i') options.push(['identityfile', value as string]);
    else if (flag === '-J') options.push(['proxyjump', value as string]);
    else if (flag === '-c') options.push(parseOption(`Ciphers=${value}`));
    else if (flag === '-C') options.push(['compression', 'yes']);
    else if (flag === '-4') options.push(['addressfamily', 'inet']);
    else if (flag === '-6') options.push(['addressfamily', 'inet6']);
    else if (flag === '-g') options.push(['gatewayports', 'yes']);
  }
  const configFile = values(parsed, '-F')[0] ?? (existsSync(DEFAULT_SSH_CONFIG) ? DEFAULT_SSH_CONFIG : undefined);
  const config = configFile ? loadSshConfig(configFile).config : undefined;
  if (parsed.positionalAfter[0] >= parsed.flags.length) destinationAt = options.length;
  const resolved = resolveHost({ destination: parsed.positional[0], options, config, destinationAt });
  const { computed } = resolved;
  let host = resolved.host;
  // Unreadable or unsupported key files are bad input: refuse before connecting.
  // FIDO keys are the exception: they are left out with a warning (below), as they can never be used.
  // %-tokens (-i ~/.ssh/id_%r) are expanded for the host they are used for.
  const tokens = { host: host.hostname, alias: host.alias, port: host.port, user: host.user, hostKeyAlias: host.hostKeyAlias };
  const fromCli = options.filter(([k]) => k === 'identityfile').map(([, v]) => expandTokens(v, tokens));
  for (const f of fromCli) if (!isFidoKeyFile(f)) readIdentity(f);
  checkAddressFamily(host);
  const fido = setFidoKeysAside(host.identityFiles);
  host = { ...host, identityFiles: fido.identityFiles };

  // Forwards the ssh config defines for this host, as ssh would set them up.
  for (const v of all(computed.localforward)) specs.push(['-L', v.trim().replace(/\s+/, ':')]);
  for (const v of all(computed.remoteforward)) specs.push(['-R', v.trim().replace(/\s+/, ':')]);
  for (const v of all(computed.dynamicforward)) specs.push(['-D', v.trim().replace(/\s+/, ':')]);
  // -g / GatewayPorts: local listeners without a bind address take every address, as in OpenSSH.
  const gatewayPorts = (options.find(([k]) => k === 'gatewayports')?.[1] ?? first(computed.gatewayports))?.toLowerCase() === 'yes';
  const forwards: ConnectPlan['forwards'] = [];
  const counters: Record<string, number> = { L: 0, R: 0, D: 0 };
  for (const [flag, text] of specs) {
    const kind = FORWARD_FLAGS[flag];
    const spec = parseForwardSpec(kind, text);
    if (gatewayPorts && kind !== 'remote' && withoutBindAddress(kind, text)) spec.listen = { ...spec.listen, host: '' };
    const letter = flag[1];
    forwards.push({ id: `${letter}${++counters[letter]}`, spec });
  }
  if (forwards.length === 0) {
    throw new BurrowError('USAGE', `Nothing to forward: give at least one -L, -R or -D (for example -L 1100:mail.example.com:110).`);
  }
  const socksUser = values(parsed, '--socks-user')[0];
  if (socksUser !== undefined && !forwards.some((f) => f.spec.kind === 'dynamic')) {
    throw new BurrowError('USAGE', '--socks-user protects a SOCKS proxy: add a -D forward, or leave --socks-user out.');
  }
  const json = has(parsed, '--json');
  const logFile = values(parsed, '-E')[0];
  if (logFile !== undefined) io.log = appendLogFile(logFile);
  const reporter = createReporter(io, json);
  for (const message of fido.warnings) reporter.event('log', { level: 'warn', code: 'KEY_UNSUPPORTED', message }, `warning: ${message}`);
  for (const message of ignored) reporter.event('log', { level: 'info', message }, `note: ${message}`);
  // The SOCKS password is asked later: the login is what counts here.
  for (const f of forwards) warnExposure(reporter, f.id, f.spec, socksUser !== undefined);
  return { host, forwards, json, socksUser };
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

/**
 * Runs forwards in the foreground until a stop signal; shared with `burrow up`.
 * A forward that cannot be set up does not take the others down (with
 * ExitOnForwardFailure=yes on its host, it does: everything stops, exit 1); when
 * a host cannot be reached, its other forwards are not tried again. Exits 1 when
 * nothing could be started, or when every forward has failed for good.
 */
export async function runForwards(engine: TunnelEngine, ids: string[], io: CliIO, reporter: Reporter): Promise<number> {
  const running: string[] = [];
  /** Hosts that could not be reached, with the forward whose error said why. */
  const unreachable = new Map<string, { err: BurrowError; forward: string }>();
  const checked = new Map<string, Promise<void>>();
  // Ctrl-C and SIGTERM do not wait for a server that never answers, nor for a question nobody answers.
  let stopped: string | undefined;
  const stop = io.stopSignal.then((why) => (stopped = why));
  const unlessStopped = async (work: Promise<unknown>) => {
    work.catch(() => undefined);
    await Promise.race([work, stop]);
    return stopped !== undefined;
  };
  for (const id of ids) {
    if (stopped !== undefined) break;
    const { host } = engine.get(id);
    const key = sessionKey(host);
    const down = unreachable.get(key);
    if (down) {
      reporter.error(new BurrowError(down.err.code, `Not started: ${host.alias} could not be reached (see the error of ${down.forward}).`), id);
      continue;
    }
    try {
      // -4/-6: say at once when the name has no address in that family; the session
      // itself dials in the family, resolving the name again on every reconnect.
      if (!checked.has(key)) checked.set(key, checkAddressFamilyResolves(host));
      if (await unlessStopped(checked.get(key)!)) break;
      await checked.get(key)!;
      const started = engine.start(id);
      if (await unlessStopped(started)) break;
      await started;
      running.push(id);
    } catch (e) {
      const err = isBurrowError(e) ? e : new BurrowError('INTERNAL', (e as Error).message);
      // The engine reports its own failures (an error event); only a failed address lookup is ours to tell.
      if (engine.get(id).state.state !== 'failed') reporter.error(err, id);
      const nothingMore = ids.indexOf(id) === ids.length - 1;
      if (host.exitOnForwardFailure) {
        await engine.shutdown();
        reporter.event(
          'stopped',
          { reason: 'forward-failure', forward: id },
          `${id}: could not be set up and ExitOnForwardFailure is yes: stopped every forward`,
        );
        return 1;
      }
      // A failure of the SSH session itself: every forward through that host would fail the same way.
      if (ERROR_INFO[err.code].stage === 'session') unreachable.set(key, { err, forward: id });
      else if (ids.length > 1 && !(nothingMore && running.length === 0)) {
        reporter.event(
          'log',
          { level: 'warn', forward: id, message: `${id} could not be set up; the other forwards keep running.` },
          `${id}: could not be set up; the other forwards keep running`,
        );
      }
    }
  }
  if (stopped !== undefined) {
    await engine.shutdown();
    reporter.event('stopped', { reason: stopped }, `stopped (${stopped})`);
    return 0;
  }
  if (running.length === 0) {
    await engine.shutdown();
    reporter.event('stopped', { reason: 'nothing-started' }, 'nothing could be started; exiting');
    return 1;
  }
  // Enter on a terminal or SIGUSR1 skips a reconnect countdown.
  const stopRetryNow = listenForRetryNow(engine, running, io, reporter);
  const failedForGood = new Promise<string>((resolve) => {
    const check = () => {
      if (running.every((id) => engine.get(id).state.state === 'failed')) resolve('failed');
    };
    engine.on('state', check);
    // They may all have failed while later forwards were still starting.
    check();
  });
  const why = await Promise.race([io.stopSignal, failedForGood]);
  stopRetryNow();
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
  // As ssh does, a first connection that fails is reported at once, not retried
  // (`burrow up` and the app retry it); drops after that are reconnected.
  const engine = new TunnelEngine({ prompter: ttyPrompter(io), retryFirstConnect: false });
  reportEngine(engine, reporter, { retryHint: io.stdin.isTTY ? RETRY_HINT : undefined, hintFor: connectHints });
  for (const f of plan.forwards) engine.add(f.id, plan.host, f.spec);
  return runForwards(
    engine,
    plan.forwards.map((f) => f.id),
    io,
    reporter,
  );
}
