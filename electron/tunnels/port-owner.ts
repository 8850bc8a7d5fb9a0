// Which process holds a listening TCP port, when the OS tells (Linux /proc, else lsof).
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

export interface PortOwner {
  pid: number;
  command: string;
}

function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10) continue;
      const localPort = parseInt(cols[1].split(':')[1], 16);
      if (localPort === port && cols[3] === '0A') inodes.add(cols[9]); // 0A = LISTEN
    }
  }
  return inodes;
}

function fromProc(port: number): PortOwner | undefined {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return undefined;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // another user's process
    }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m && inodes.has(m[1])) {
          const command = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
          return { pid: Number(pid), command };
        }
      } catch {
        /* fd closed meanwhile */
      }
    }
  }
  return undefined;
}

function fromLsof(port: number): PortOwner | undefined {
  try {
    const out = execFileSync('lsof', ['-nP', `-iTCP:${port}`, '-sTCP:LISTEN', '-Fpc'], { encoding: 'utf8', timeout: 2000 });
    const pid = /^p(\d+)/m.exec(out);
    const cmd = /^c(.+)/m.exec(out);
    return pid ? { pid: Number(pid[1]), command: cmd?.[1] ?? '?' } : undefined;
  } catch {
    return undefined;
  }
}

export function findPortOwner(port: number): PortOwner | undefined {
  if (process.platform === 'linux') return fromProc(port);
  if (process.platform === 'win32') return undefined;
  return fromLsof(port);
}
