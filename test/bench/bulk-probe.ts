// A quick A/B/C... loop over bulk transfers only, for profiling and for trying
// ssh2 changes (experiments.ts) side by side with OpenSSH in one run:
//   node bin/run-ts.mjs test/bench/bulk-probe.ts [--dir upload|download|both] [--mib 256] [--rounds 5]
//        [--variants ";cork;cork,slab"] [--cipher NAME] [--cpu-prof DIR]
//   --dir latency: new-connection latency instead (--rounds blocks of 50 connections), with the
//   tunnel process's CPU and read/write system calls per connection; --kind dynamic for -D (SOCKS);
//   --relay adds a bare Node TCP relay (tcp-relay.mjs, no SSH) as the floor of Node's per-connection cost.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cleanup, startSshd, type Sshd } from '../support/sshd';
import { killAllNow, track } from './children';
import { cpuTimes, mainThreadSeconds, syscalls } from './proc-stats';
import { download, latency, upload } from './load';
import { startBurrow, startReference, type Side } from './sides';
import { portRoute } from './routes';
import { fmt, median, MiB, percentile } from './stats';
import { startTargets, type Targets } from './targets';

const argv = process.argv.slice(2);
const flag = (name: string, dflt: string) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : dflt;
};
const cpuProfileDir = argv.includes('--cpu-prof') ? flag('--cpu-prof', '') : undefined;
const cipher = flag('--cipher', 'aes128-gcm@openssh.com');
const dir = flag('--dir', 'both');
const bytes = Number(flag('--mib', '256')) * MiB;
const rounds = Number(flag('--rounds', '5'));
// Variants are separated by ';' (a variant may combine experiments with ',').
const variants = flag('--variants', '').split(';');
const kind = flag('--kind', 'local') as 'local' | 'dynamic';
const relay = argv.includes('--relay');
if (relay && kind !== 'local') throw new Error('--relay relays plain TCP: use it with --kind local');

let sshd: Sshd | undefined;
let targets: Targets | undefined;
process.on('exit', () => killAllNow());
const closers: Array<() => Promise<void>> = [];
try {
  sshd = await startSshd();
  track(sshd.process, { family: true });
  targets = await startTargets();
  const sides: Array<{ label: string; side: Pick<Side, 'route' | 'pid'> }> = [];
  const ref = await startReference(sshd, targets, { kind, opensshCipher: cipher });
  closers.push(() => ref.ssh.close());
  sides.push({ label: 'OpenSSH', side: ref });
  for (const v of variants) {
    const b = await startBurrow(sshd, targets, { kind, burrowCipher: cipher, cpuProfileDir, experiment: v });
    closers.push(() => b.engine.close());
    sides.push({ label: `Burrow[${v || 'as is'}]`, side: b });
  }
  if (relay) {
    const names = ['echo', 'sink', 'source', 'reply'] as const;
    const child = track(
      fork(
        fileURLToPath(new URL('./tcp-relay.mjs', import.meta.url)),
        names.map((n) => String(targets!.ports[n])),
      ),
    );
    const ports = await new Promise<number[]>((resolve) => child.once('message', (m) => resolve(m as number[])));
    closers.push(async () => void child.kill());
    sides.push({
      label: 'Node TCP relay (no SSH)',
      side: { route: portRoute({ echo: ports[0], sink: ports[1], source: ports[2], reply: ports[3] }), pid: child.pid! },
    });
  }
  if (dir === 'latency') {
    const res = new Map(sides.map((s) => [s.label, { ms: [] as number[], cpu: 0, sys: 0, reads: 0, writes: 0 }]));
    for (let r = 0; r < rounds; r++)
      for (const { label, side } of sides) {
        const x = res.get(label)!;
        const [c0, io0] = [cpuTimes(side.pid), syscalls(side.pid)];
        x.ms.push(...(await latency(side.route, 50)));
        const [c1, io1] = [cpuTimes(side.pid), syscalls(side.pid)];
        x.cpu += c1.user + c1.system - c0.user - c0.system;
        x.sys += c1.system - c0.system;
        x.reads += io1.reads - io0.reads;
        x.writes += io1.writes - io0.writes;
      }
    for (const [label, x] of res) {
      const n = x.ms.length;
      process.stdout.write(
        `latency  ${label.padEnd(28)} p50 ${fmt(percentile(x.ms, 50), 3)} ms  p99 ${fmt(percentile(x.ms, 99), 3)} ms  CPU ${fmt((x.cpu / n) * 1e6, 0)} us/conn (kernel ${fmt((x.sys / n) * 1e6, 0)})  syscalls/conn ${fmt(x.reads / n, 2)} r ${fmt(x.writes / n, 2)} w\n`,
      );
    }
  }
  const dirs = dir === 'latency' ? [] : dir === 'both' ? (['upload', 'download'] as const) : [dir as 'upload' | 'download'];
  for (const d of dirs) {
    const res = new Map(
      sides.map((s) => [
        s.label,
        { mibps: [] as number[], cpu: [] as number[], sys: [] as number[], main: [] as number[], reads: [] as number[], writes: [] as number[] },
      ]),
    );
    for (let r = 0; r < rounds; r++) {
      for (const { label, side } of sides) {
        const c0 = cpuTimes(side.pid);
        const io0 = syscalls(side.pid);
        const m0 = mainThreadSeconds(side.pid);
        const secs = await (d === 'upload' ? upload : download)(side.route, bytes, 180_000);
        res.get(label)!.mibps.push(bytes / MiB / secs);
        const c1 = cpuTimes(side.pid);
        res.get(label)!.main.push((mainThreadSeconds(side.pid) - m0) / (bytes / (1024 * MiB)));
        res.get(label)!.cpu.push((c1.user + c1.system - c0.user - c0.system) / (bytes / (1024 * MiB)));
        res.get(label)!.sys.push((c1.system - c0.system) / (bytes / (1024 * MiB)));
        const io1 = syscalls(side.pid);
        res.get(label)!.reads.push((io1.reads - io0.reads) / (bytes / MiB));
        res.get(label)!.writes.push((io1.writes - io0.writes) / (bytes / MiB));
      }
    }
    const refMibps = median(res.get('OpenSSH')!.mibps);
    for (const [label, x] of res) {
      process.stdout.write(
        `${d.padEnd(8)} ${label.padEnd(28)} ${fmt(median(x.mibps)).padStart(7)} MiB/s  (${fmt(median(x.mibps) / refMibps, 2)}x OpenSSH)  CPU ${fmt(median(x.cpu), 2)} s/GiB (kernel ${fmt(median(x.sys), 2)}, main thread ${fmt(median(x.main), 2)})  syscalls/MiB ${fmt(median(x.reads), 1)} r ${fmt(median(x.writes), 1)} w  runs ${x.mibps.map((m) => fmt(m, 0)).join(' ')}\n`,
      );
    }
  }
} finally {
  for (const c of closers) await c();
  await targets?.close();
  await cleanup(sshd);
}
