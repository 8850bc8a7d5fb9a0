// What the benchmark ran on, printed with every result.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

function cpuModel(): string {
  try {
    return /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function nproc(): string {
  try {
    return execFileSync('nproc', { encoding: 'utf8' }).trim();
  } catch {
    return String(availableParallelism());
  }
}

export function opensshVersion(): string {
  return spawnSync('ssh', ['-V'], { encoding: 'utf8' }).stderr.trim();
}

/** The cipher ssh offers first (what it negotiates with a stock sshd). */
export function opensshDefaultCipher(): string {
  const out = spawnSync('ssh', ['-G', '-F', '/dev/null', 'localhost'], { encoding: 'utf8' }).stdout;
  return /^ciphers (\S+)/m.exec(out)?.[1].split(',')[0] ?? 'unknown';
}

/** The cipher ssh2 offers first. */
export function ssh2DefaultCipher(): string {
  const constants = require('ssh2/lib/protocol/constants.js') as { DEFAULT_CIPHER: string[] };
  return constants.DEFAULT_CIPHER[0];
}

/** Whether ssh2's optional native crypto binding loaded (built by `npm ci`; not in the Electron app). */
export function ssh2NativeBinding(): boolean {
  return (require('ssh2/lib/protocol/crypto.js') as { bindingAvailable: boolean }).bindingAvailable;
}

export function machineLines(): string[] {
  const ssh2 = (require('ssh2/package.json') as { version: string }).version;
  return [
    `machine: ${nproc()} cores (nproc), ${cpuModel()}, load average ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
    `node ${process.version}, ${opensshVersion()}, ssh2 ${ssh2} (native crypto binding ${ssh2NativeBinding() ? 'loaded' : 'NOT loaded: Node crypto'})`,
  ];
}
