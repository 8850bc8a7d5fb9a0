// Each comparison runs Burrow and OpenSSH alternately (A B A B ...) so that
// machine noise falls on both, and turns the results into report rows.
import { cpuSeconds, rssBytes } from './proc-stats';
import { concurrent, download, holdOpen, latency, upload } from './load';
import type { LoopDelay } from './engine-protocol';
import { progress, type Row } from './report';
import type { Pair, Side } from './sides';
import { fmt, median, MiB, percentile, ratio } from './stats';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function sides(pair: Pair): Side[] {
  return [pair.burrow, pair.openssh];
}

export interface BulkResult {
  rows: Row[];
  loopDelay: LoopDelay[];
}

/** Bulk throughput in one direction, plus the tunnel process's CPU per GiB and Burrow's event-loop delay. */
export async function bulk(pair: Pair, direction: 'upload' | 'download', bytes: number, rounds: number): Promise<BulkResult> {
  const mibps: Record<string, number[]> = { Burrow: [], OpenSSH: [] };
  const cpu: Record<string, number[]> = { Burrow: [], OpenSSH: [] };
  const loopDelay: LoopDelay[] = [];
  const run = direction === 'upload' ? upload : download;
  for (let r = 0; r < rounds; r++) {
    for (const side of sides(pair)) {
      const isBurrow = side === pair.burrow;
      if (isBurrow) await pair.burrow.engine.request({ cmd: 'loopDelayStart' });
      const c0 = cpuSeconds(side.pid);
      const secs = await run(side.route, bytes, 180_000);
      const c1 = cpuSeconds(side.pid);
      if (isBurrow) loopDelay.push(await pair.burrow.engine.request({ cmd: 'loopDelayStop' }));
      mibps[side.name].push(bytes / MiB / secs);
      cpu[side.name].push((c1 - c0) / (bytes / (1024 * MiB)));
      progress(`${direction} ${side.name} round ${r + 1}/${rounds}: ${fmt(bytes / MiB / secs)} MiB/s`);
    }
  }
  const b = median(mibps.Burrow);
  const o = median(mibps.OpenSSH);
  const dir = direction === 'upload' ? 'client -> server' : 'server -> client';
  const p99 = Math.max(...loopDelay.map((d) => d.p99Ms));
  const rows: Row[] = [
    {
      metric: `throughput ${dir} (MiB/s, median of ${rounds})`,
      burrow: fmt(b),
      openssh: fmt(o),
      ratio: ratio(b, o),
      target: '>= 1.00x',
      pass: ratio(b, o) >= 1,
    },
    {
      metric: `  tunnel process CPU s per GiB, ${direction}`,
      burrow: fmt(median(cpu.Burrow), 2),
      openssh: fmt(median(cpu.OpenSSH), 2),
      ratio: ratio(median(cpu.Burrow), median(cpu.OpenSSH)),
    },
    {
      metric: `  event-loop delay p99 during ${direction} (ms, worst run)`,
      burrow: `${fmt(p99)} (max ${fmt(Math.max(...loopDelay.map((d) => d.maxMs)))})`,
      openssh: 'no event loop',
      ratio: NaN,
      target: '< 50 ms',
      pass: p99 < 50,
    },
  ];
  return { rows, loopDelay };
}

/** New-connection latency: connect, a byte each way, close; interleaved in blocks of 25. */
export async function newConnectionLatency(pair: Pair, count: number, withTarget = true): Promise<Row[]> {
  const ms: Record<string, number[]> = { Burrow: [], OpenSSH: [] };
  for (const side of sides(pair)) await latency(side.route, 10); // warm up
  const block = 25;
  for (let i = 0; i < count; i += block) {
    for (const side of sides(pair)) ms[side.name].push(...(await latency(side.route, Math.min(block, count - i))));
  }
  const p = (name: string, q: number) => percentile(ms[name], q);
  progress(`latency p50 Burrow ${fmt(p('Burrow', 50), 2)} ms, OpenSSH ${fmt(p('OpenSSH', 50), 2)} ms`);
  return [
    {
      metric: `new connection p50 (ms, ${count} sequential)`,
      burrow: fmt(p('Burrow', 50), 2),
      openssh: fmt(p('OpenSSH', 50), 2),
      ratio: ratio(p('Burrow', 50), p('OpenSSH', 50)),
      ...(withTarget ? { target: '<= 1.20x', pass: ratio(p('Burrow', 50), p('OpenSSH', 50)) <= 1.2 } : {}),
    },
    {
      metric: `new connection p99 (ms)`,
      burrow: fmt(p('Burrow', 99), 2),
      openssh: fmt(p('OpenSSH', 99), 2),
      ratio: ratio(p('Burrow', 99), p('OpenSSH', 99)),
    },
  ];
}

/** n connections at once through one forward, `rounds` times per side. */
export async function manyAtOnce(pair: Pair, n: number, rounds: number): Promise<Row[]> {
  const res: Record<string, { failures: number; times: number[]; wall: number[]; err?: string }> = {
    Burrow: { failures: 0, times: [], wall: [] },
    OpenSSH: { failures: 0, times: [], wall: [] },
  };
  for (let r = 0; r < rounds; r++) {
    for (const side of sides(pair)) {
      const out = await concurrent(side.route, n, 60_000);
      const x = res[side.name];
      x.failures += out.failures;
      x.times.push(...out.times);
      x.wall.push(out.wallMs);
      x.err ??= out.firstError;
      progress(`${n} at once ${side.name} round ${r + 1}/${rounds}: ${out.failures} failed, wall ${fmt(out.wallMs)} ms`);
      await sleep(500); // let both ends finish closing
    }
  }
  const b = res.Burrow;
  const o = res.OpenSSH;
  const rows: Row[] = [
    {
      metric: `${n} at once: failures (of ${n * rounds})`,
      burrow: String(b.failures),
      openssh: String(o.failures),
      ratio: NaN,
      target: '0',
      pass: b.failures === 0,
    },
    {
      metric: `${n} at once: p50 (ms)`,
      burrow: fmt(percentile(b.times, 50)),
      openssh: fmt(percentile(o.times, 50)),
      ratio: ratio(percentile(b.times, 50), percentile(o.times, 50)),
    },
    {
      metric: `${n} at once: p99 (ms)`,
      burrow: fmt(percentile(b.times, 99)),
      openssh: fmt(percentile(o.times, 99)),
      ratio: ratio(percentile(b.times, 99), percentile(o.times, 99)),
    },
    { metric: `${n} at once: all done (ms, median)`, burrow: fmt(median(b.wall)), openssh: fmt(median(o.wall)), ratio: ratio(median(b.wall), median(o.wall)) },
  ];
  if (b.err) rows.push({ metric: `  Burrow first error: ${b.err}`, burrow: '', openssh: '', ratio: NaN });
  if (o.err) rows.push({ metric: `  OpenSSH first error: ${o.err}`, burrow: '', openssh: '', ratio: NaN });
  return rows;
}

/** RSS growth per idle open connection through one forward. */
export async function memoryPerConnection(pair: Pair, n: number): Promise<Row[]> {
  const per: Record<string, number> = {};
  let heapPer = NaN;
  for (const side of sides(pair)) {
    const isBurrow = side === pair.burrow;
    const heap0 = isBurrow ? await pair.burrow.engine.request({ cmd: 'heap' }) : 0;
    const before = rssBytes(side.pid);
    const socks = await holdOpen(side.route, n);
    await sleep(300);
    const heap1 = isBurrow ? await pair.burrow.engine.request({ cmd: 'heap' }) : 0;
    const after = rssBytes(side.pid);
    for (const s of socks) s.destroy();
    per[side.name] = (after - before) / n;
    if (isBurrow) heapPer = (heap1 - heap0) / n;
    await sleep(500);
  }
  return [
    {
      metric: `RSS growth per open idle connection (KiB, ${n} open)`,
      burrow: fmt(per.Burrow / 1024),
      openssh: fmt(per.OpenSSH / 1024),
      ratio: ratio(per.Burrow, per.OpenSSH),
    },
    {
      metric: `  Burrow JS heap + external per open connection (KiB)`,
      burrow: fmt(heapPer / 1024),
      openssh: 'n/a',
      ratio: NaN,
    },
  ];
}
