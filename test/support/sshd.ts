// Starts a real OpenSSH sshd on 127.0.0.1 with its own temporary host key, user
// key and config file. No system service is touched.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, mkdirSync, existsSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';

export const SSHD_BIN = ['/usr/sbin/sshd', '/usr/bin/sshd'].find((p) => existsSync(p)) ?? 'sshd';

export interface SshdOptions {
  /** Extra sshd_config lines, e.g. ['AllowTcpForwarding no']. */
  config?: string[];
  /** Reuse this port (restart on the same port). */
  port?: number;
  /** Reuse an existing state directory (same host key and user key). */
  dir?: string;
  /** Host key types sshd offers (ssh-keygen -t names), default ['ed25519']. The first is hostPublicKey and goes into knownHosts. */
  hostKeyTypes?: string[];
  /** Addresses sshd listens on (same port), default ['127.0.0.1']; keep 127.0.0.1 among them. */
  listen?: string[];
  /**
   * A password for the test's user, for password logins: sshd reads a copy of
   * /etc/shadow with this password, bind-mounted in a mount namespace of its own
   * (needs root); the system's file is untouched. Add 'PasswordAuthentication yes'
   * (and for root 'PermitRootLogin yes') to config.
   */
  password?: string;
}

export interface Sshd {
  port: number;
  host: string;
  user: string;
  dir: string;
  /** Private key authorised for `user` (ed25519, no passphrase). */
  userKey: string;
  /** The server's host public key line ("ssh-ed25519 AAAA..."). */
  hostPublicKey: string;
  /** Every host public key line, by ssh-keygen type ("ecdsa" -> "ecdsa-sha2-nistp256 AAAA..."). */
  hostPublicKeys: Record<string, string>;
  /** A known_hosts file that trusts this server. */
  knownHosts: string;
  process: ChildProcess;
  stop(): Promise<void>;
  /** Sends a signal to sshd and every process it started (e.g. SIGSTOP to freeze it). */
  signalAll(signal: 'SIGSTOP' | 'SIGCONT'): void;
  /** Stops the server and starts it again on the same port with the same keys. */
  restart(): Promise<void>;
  log(): string;
}

// Ports handed to tests that listen on them later come from below the kernel's ephemeral range,
// one slice per vitest worker. A port from listen(0) is in that range, and any outgoing
// connection (ours, sshd's, another test file's) can take it before the test binds it again:
// "Local port 45449 is already in use" under load.
const EPHEMERAL_LOW = (() => {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32768;
  } catch {
    return 32768;
  }
})();
const SLICE = 3000;
const worker = Math.max(1, Number(process.env.VITEST_POOL_ID) || 1);
const sliceLow = Math.max(1024, EPHEMERAL_LOW - SLICE * worker);
let nextPort = sliceLow + Math.floor(Math.random() * SLICE);

function bindable(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (let tries = 0; tries < SLICE; tries++) {
    const port = nextPort;
    nextPort = nextPort + 1 >= sliceLow + SLICE ? sliceLow : nextPort + 1;
    if (await bindable(port, host)) return port;
  }
  throw new Error(`no free port in ${sliceLow}-${sliceLow + SLICE - 1} on ${host}`);
}

export function keygen(path: string, type = 'ed25519', passphrase = '', extra: string[] = []): string {
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', passphrase, '-C', 'burrow-test', '-f', path, ...extra]);
  return path;
}

function waitForPort(port: number, proc: ChildProcess, logs: () => string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (proc.exitCode !== null) return reject(new Error(`sshd exited (${proc.exitCode}): ${logs()}`));
      const sock = net.connect(port, '127.0.0.1');
      sock.once('data', () => {
        sock.destroy();
        resolve();
      });
      sock.once('error', () => {
        sock.destroy();
        if (Date.now() > deadline) reject(new Error(`sshd did not start on ${port}: ${logs()}`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

/** An sshd that also takes the test user's password (and lets root log in with it), plus any extra config lines. */
export function startPasswordSshd(password: string, config: string[] = []): Promise<Sshd> {
  return startSshd({ password, config: ['PasswordAuthentication yes', 'PermitRootLogin yes', ...config] });
}

export async function startSshd(opts: SshdOptions = {}): Promise<Sshd> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'burrow-sshd-'));
  const user = userInfo().username;
  const hostKeyTypes = opts.hostKeyTypes ?? ['ed25519'];
  const hostKeys = hostKeyTypes.map((t) => join(dir, `host_${t}`));
  const userKey = join(dir, 'user_ed25519');
  hostKeys.forEach((k, i) => existsSync(k) || keygen(k, hostKeyTypes[i]));
  if (!existsSync(userKey)) keygen(userKey);
  const authorized = join(dir, 'authorized_keys');
  writeFileSync(authorized, readFileSync(`${userKey}.pub`));
  chmodSync(authorized, 0o600);
  if (process.getuid?.() === 0 && !existsSync('/run/sshd')) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });

  const port = opts.port ?? (await freePort());
  const cfg = join(dir, 'sshd_config');
  writeFileSync(
    cfg,
    [
      // sshd keeps the first value it reads for an option: the test's own lines come first.
      ...(opts.config ?? []),
      ...(opts.listen ?? ['127.0.0.1']).map((a) => `ListenAddress ${a}`),
      ...hostKeys.map((k) => `HostKey ${k}`),
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${authorized}`,
      'StrictModes no',
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'PermitRootLogin prohibit-password',
      'AllowTcpForwarding yes',
      'AllowStreamLocalForwarding yes',
      'StreamLocalBindUnlink yes',
      'LogLevel VERBOSE',
      'MaxStartups 1000:30:1000',
      'MaxSessions 1000',
    ].join('\n') + '\n',
  );
  const hostPublicKeys = Object.fromEntries(
    hostKeyTypes.map((t, i) => [t, readFileSync(`${hostKeys[i]}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ')]),
  );
  const hostPublicKey = hostPublicKeys[hostKeyTypes[0]];
  const knownHosts = join(dir, 'known_hosts');
  writeFileSync(knownHosts, `[127.0.0.1]:${port} ${hostPublicKey}\n`);

  let logs = '';
  const sshdArgs = ['-D', '-e', '-f', cfg, '-p', String(port)];
  let command: [string, string[]] = [SSHD_BIN, sshdArgs];
  if (opts.password !== undefined) {
    const hash = execFileSync('openssl', ['passwd', '-6', '-stdin'], { input: opts.password }).toString().trim();
    const shadow = join(dir, 'shadow');
    const lines = readFileSync('/etc/shadow', 'utf8')
      .split('\n')
      .map((l) =>
        l.startsWith(`${user}:`)
          ? l
              .split(':')
              .map((f, i) => (i === 1 ? hash : f))
              .join(':')
          : l,
      );
    writeFileSync(shadow, lines.join('\n'), { mode: 0o600 });
    // unshare and sh exec in place: the spawned process is sshd itself.
    command = ['unshare', ['-m', 'sh', '-c', 'mount --bind "$0" /etc/shadow && exec "$@"', shadow, SSHD_BIN, ...sshdArgs]];
  }
  const launch = async () => {
    const proc = spawn(command[0], command[1], { stdio: ['ignore', 'ignore', 'pipe'] });
    proc.stderr!.on('data', (d) => (logs += d.toString()));
    await waitForPort(port, proc, () => logs);
    return proc;
  };
  const server: Sshd = {
    port,
    host: '127.0.0.1',
    user,
    dir,
    userKey,
    hostPublicKey,
    hostPublicKeys,
    knownHosts,
    process: await launch(),
    log: () => logs,
    async stop() {
      const proc = server.process;
      if (proc.exitCode !== null || proc.signalCode) return;
      // sshd -D keeps per-connection children (and theirs): kill the whole family.
      for (const child of descendants(proc.pid!)) {
        try {
          process.kill(child, 'SIGKILL');
        } catch {
          /* exited meanwhile */
        }
      }
      await new Promise<void>((resolve) => {
        proc.once('exit', () => resolve());
        proc.kill('SIGKILL');
      });
    },
    signalAll(signal) {
      for (const pid of [server.process.pid!, ...descendants(server.process.pid!)]) {
        try {
          process.kill(pid, signal);
        } catch {
          /* exited meanwhile */
        }
      }
    },
    async restart() {
      await server.stop();
      server.process = await launch();
    },
  };
  return server;
}

/** Every process started by `pid`, its children's children too (pgrep -P, depth first). */
export function descendants(pid: number): number[] {
  let kids: number[] = [];
  try {
    kids = execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
  return kids.flatMap((k) => [k, ...descendants(k)]);
}

export function cleanup(s: Sshd | undefined) {
  if (!s) return Promise.resolve();
  return s.stop().then(() => rmSync(s.dir, { recursive: true, force: true }));
}
