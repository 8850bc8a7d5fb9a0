// OpenSSH's own client (`ssh -N` with -L/-R/-D), the reference Burrow is measured against.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Sshd } from '../support/sshd';
import { end, track } from './children';
import { tcpConnect } from './routes';

export interface OpenSshClient {
  pid: number;
  process: ChildProcess;
  stderr(): string;
  close(): Promise<void>;
}

export interface OpenSshOptions {
  /** e.g. 'aes128-gcm@openssh.com'; undefined = ssh's own default. */
  cipher?: string;
  /** Forward flags, e.g. ['-L', '127.0.0.1:1234:127.0.0.1:5678']. */
  forwards: string[];
  /** Ports that answer once every forward is set up (local ports for -L/-D, server ports for -R). */
  readyPorts: number[];
}

export function sshArgs(sshd: Sshd, cipher?: string): string[] {
  return [
    '-N',
    '-F',
    '/dev/null',
    '-o',
    'BatchMode=yes',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    `UserKnownHostsFile=${sshd.knownHosts}`,
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'ExitOnForwardFailure=yes',
    '-o',
    'ControlMaster=no',
    // The same keepalive Burrow uses by default.
    '-o',
    'ServerAliveInterval=15',
    '-o',
    'ServerAliveCountMax=3',
    '-i',
    sshd.userKey,
    '-p',
    String(sshd.port),
    ...(cipher ? ['-c', cipher] : []),
  ];
}

async function waitForPorts(ports: number[], proc: ChildProcess, stderr: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const port of ports) {
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`ssh exited (${proc.exitCode}): ${stderr()}`);
      try {
        const s = await tcpConnect(port, '127.0.0.1', 2000);
        s.destroy();
        break;
      } catch {
        if (Date.now() > deadline) throw new Error(`ssh forwards not ready within ${timeoutMs} ms: ${stderr()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }
}

export async function startOpenSsh(sshd: Sshd, opts: OpenSshOptions): Promise<OpenSshClient> {
  const args = [...sshArgs(sshd, opts.cipher), ...opts.forwards, `${sshd.user}@127.0.0.1`];
  const proc = track(spawn('ssh', args, { stdio: ['ignore', 'ignore', 'pipe'] }));
  let err = '';
  proc.stderr!.on('data', (d) => {
    if (err.length < 10_000) err += d.toString();
  });
  const client: OpenSshClient = {
    pid: proc.pid!,
    process: proc,
    stderr: () => err,
    close: () => end(proc),
  };
  try {
    await waitForPorts(opts.readyPorts, proc, () => err, 20_000);
  } catch (e) {
    await client.close();
    throw e;
  }
  return client;
}
