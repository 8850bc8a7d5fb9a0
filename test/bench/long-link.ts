// The long-link section: the same pair (Burrow's engine child, `ssh -N`) reaching
// sshd through a delay proxy (test/support/delay-proxy.ts: both ways, never pushing
// back, optionally paced), at several round trips. Download and upload (the SSH
// windows are the limit), first byte through a new tunnel (process start to echo),
// and the tunnel process's RSS while a slow reader downloads.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { freePort, type Sshd } from '../support/sshd';
import { knownHostsVia, startDelayProxy } from '../support/delay-proxy';
import { BURROW } from '../support/cli';
import { end, track } from './children';
import { EngineProcess } from './engine-process';
import { bulk } from './measure';
import { rssBytes } from './proc-stats';
import { progress, type Row } from './report';
import { benchHost, startPair, type Pair } from './sides';
import { fmt, median, MiB, ratio } from './stats';
import type { Targets } from './targets';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface LongLinkOptions {
  rttsMs: number[];
  bulkBytes: number;
  rounds: number;
  firstByteRounds: number;
  slowReaderBytes: number;
  /** Pace the proxy to this many bytes per second each way; unlimited when absent. */
  bytesPerSecond?: number;
  cipher: string;
}

/** The sshd as seen through the proxy: its port, and a known_hosts entry for that port. */
function viaProxy(sshd: Sshd, port: number): Sshd {
  return { ...sshd, port, knownHosts: knownHostsVia(sshd, port) };
}

/** Connects to port until it accepts, then one byte there and back; ms from t0. */
async function echoWhenUp(port: number, t0: number, alive: () => boolean, timeoutMs = 60_000): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (!alive()) throw new Error('the tunnel process exited before the first byte came back');
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ port, host: '127.0.0.1' });
      s.setNoDelay(true);
      s.once('connect', () => s.write('x'));
      s.once('data', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
      s.once('close', () => resolve(false));
    });
    if (ok) return performance.now() - t0;
    if (performance.now() > deadline) throw new Error(`no echo within ${timeoutMs} ms`);
    await sleep(5);
  }
}

/** Process start to the first echo through a new -L, for `burrow connect` and `ssh -N`. */
async function firstByte(link: Sshd, echoPort: number, cipher: string, which: 'Burrow' | 'OpenSSH'): Promise<number> {
  const port = await freePort();
  const common = [
    '-F',
    '/dev/null',
    '-o',
    'BatchMode=yes',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    `UserKnownHostsFile=${link.knownHosts}`,
    '-o',
    'IdentitiesOnly=yes',
    '-i',
    link.userKey,
    '-p',
    String(link.port),
    '-c',
    cipher,
    '-L',
    `127.0.0.1:${port}:127.0.0.1:${echoPort}`,
    `${link.user}@127.0.0.1`,
  ];
  const t0 = performance.now();
  const proc =
    which === 'Burrow'
      ? spawn(process.execPath, [BURROW, 'connect', ...common], {
          stdio: 'ignore',
          env: { ...process.env, BURROW_CONFIG_DIR: join(link.dir, 'burrow-config') },
        })
      : spawn('ssh', ['-N', ...common], { stdio: 'ignore' });
  track(proc);
  try {
    return await echoWhenUp(port, t0, () => proc.exitCode === null);
  } finally {
    await end(proc);
  }
}

/** Burrow's login alone: in an engine process that is already running, from 'start' to the first echo. */
async function firstByteEngine(link: Sshd, echoPort: number, cipher: string): Promise<number> {
  const engine = await EngineProcess.spawn();
  try {
    const t0 = performance.now();
    const bound = await engine.request({
      cmd: 'start',
      host: benchHost(link, cipher),
      forwards: [{ id: 'fb', spec: { kind: 'local', listen: { host: '127.0.0.1', port: 0 }, target: { host: '127.0.0.1', port: echoPort } } }],
    });
    return await echoWhenUp(bound.fb, t0, () => true);
  } finally {
    await engine.close();
  }
}

/** Peak RSS of the tunnel process while `bytes` are downloaded by a reader that takes about 8 MiB/s. */
async function slowReaderPeakRss(pair: Pair, which: 'Burrow' | 'OpenSSH', bytes: number): Promise<number> {
  const side = which === 'Burrow' ? pair.burrow : pair.openssh;
  const sock = await side.route.dial('source');
  let peak = rssBytes(side.pid);
  const sampler = setInterval(() => (peak = Math.max(peak, rssBytes(side.pid))), 25);
  try {
    await new Promise<void>((resolve, reject) => {
      let got = 0;
      let sincePause = 0;
      sock.on('data', (d: Buffer) => {
        got += d.length;
        sincePause += d.length;
        if (got >= bytes) return resolve();
        if (sincePause >= MiB) {
          sincePause = 0;
          sock.pause();
          setTimeout(() => sock.resume(), 125);
        }
      });
      sock.once('error', reject);
      sock.once('close', () => reject(new Error(`slow reader: closed after ${got} of ${bytes} bytes`)));
      const head = Buffer.alloc(8);
      head.writeBigUInt64BE(BigInt(bytes));
      sock.write(head);
    });
  } finally {
    clearInterval(sampler);
    sock.destroy();
  }
  return peak;
}

export async function longLink(sshd: Sshd, targets: Targets, o: LongLinkOptions): Promise<{ rows: Row[]; notes: string[] }> {
  const rows: Row[] = [];
  const notes = [
    `Delay proxy between both clients and sshd (half the round trip each way, never pushing back${o.bytesPerSecond ? `, paced to ${fmt(o.bytesPerSecond / MiB)} MiB/s` : ', not paced'}); ${o.cipher}; ${o.bulkBytes / MiB} MiB per transfer.`,
    'First byte: from starting `burrow connect -L` / `ssh -N -L` to the first echo through the forward (Burrow includes its CLI start).',
  ];
  for (const rttMs of o.rttsMs) {
    const proxy = await startDelayProxy({ target: { host: sshd.host, port: sshd.port }, rttMs, bytesPerSecond: o.bytesPerSecond });
    const link = viaProxy(sshd, proxy.port);
    try {
      const pair = await startPair(link, targets, { kind: 'local', burrowCipher: o.cipher, opensshCipher: o.cipher });
      // startPair starts Burrow, then ssh: one SSH connection each through the proxy.
      const [burrowConn, sshConn] = proxy.connections;
      try {
        for (const dir of ['download', 'upload'] as const) {
          const r = (await bulk(pair, dir, o.bulkBytes, o.rounds)).rows[0];
          rows.push({
            ...r,
            metric: `${rttMs} ms: ${r.metric}`,
            target: rttMs >= 100 ? (dir === 'download' ? '>= 3.00x' : '>= 1.00x') : undefined,
            pass: rttMs >= 100 ? r.ratio >= (dir === 'download' ? 3 : 1) : undefined,
          });
        }
        // What the proxy held at most is what was in flight: the window actually used.
        const inFlight = (d: 'down' | 'up') => ({
          metric: `${rttMs} ms:   most bytes in flight ${d === 'down' ? 'server -> client' : 'client -> server'} (MiB)`,
          burrow: fmt(burrowConn[d].maxHeld / MiB, 2),
          openssh: fmt(sshConn[d].maxHeld / MiB, 2),
          ratio: ratio(burrowConn[d].maxHeld, sshConn[d].maxHeld),
        });
        if (rttMs > 0) rows.push(inFlight('down'), inFlight('up'));
        if (rttMs === Math.max(...o.rttsMs)) {
          const peak: Record<string, number> = {};
          for (const which of ['Burrow', 'OpenSSH'] as const) {
            const base = rssBytes((which === 'Burrow' ? pair.burrow : pair.openssh).pid);
            peak[which] = await slowReaderPeakRss(pair, which, o.slowReaderBytes);
            progress(`slow reader ${which}: RSS ${fmt(base / MiB)} -> peak ${fmt(peak[which] / MiB)} MiB`);
          }
          rows.push({
            metric: `${rttMs} ms: peak RSS, ${o.slowReaderBytes / MiB} MiB download to an 8 MiB/s reader (MiB)`,
            burrow: fmt(peak.Burrow / MiB),
            openssh: fmt(peak.OpenSSH / MiB),
            ratio: ratio(peak.Burrow, peak.OpenSSH),
          });
        }
      } finally {
        await pair.close();
      }
      const ms: Record<string, number[]> = { Burrow: [], OpenSSH: [], engine: [] };
      for (let r = 0; r < o.firstByteRounds; r++) {
        for (const which of ['Burrow', 'OpenSSH'] as const) ms[which].push(await firstByte(link, targets.ports.echo, o.cipher, which));
        ms.engine.push(await firstByteEngine(link, targets.ports.echo, o.cipher));
        progress(
          `${rttMs} ms first byte round ${r + 1}/${o.firstByteRounds}: burrow connect ${fmt(ms.Burrow.at(-1)!)} ms, ssh ${fmt(ms.OpenSSH.at(-1)!)} ms, engine login ${fmt(ms.engine.at(-1)!)} ms`,
        );
      }
      const b = median(ms.Burrow);
      const s = median(ms.OpenSSH);
      const e = median(ms.engine);
      rows.push({
        metric: `${rttMs} ms: first byte through a new tunnel (ms, median of ${o.firstByteRounds})`,
        burrow: fmt(b),
        openssh: fmt(s),
        ratio: ratio(b, s),
        target: '<= 1.20x',
        pass: ratio(b, s) <= 1.2,
      });
      rows.push({ metric: `${rttMs} ms:   the same, engine process already running (login + forward)`, burrow: fmt(e), openssh: fmt(s), ratio: ratio(e, s) });
    } finally {
      await proxy.close();
    }
  }
  return { rows, notes };
}
