// `npm run bench`: Burrow's forwards against OpenSSH's own `ssh -N -L/-D/-R`,
// through the same real sshd on loopback, measured alternately in one run.
import { performance } from 'node:perf_hooks';
import { loadavg } from 'node:os';
import { cleanup, startSshd, type Sshd } from '../support/sshd';
import { killAllNow, liveCount, track } from './children';
import { cliStart } from './cli-start';
import { EngineProcess } from './engine-process';
import { machineLines, opensshDefaultCipher, ssh2DefaultCipher, ssh2NativeBinding } from './machine';
import { bulk, manyAtOnce, memoryPerConnection, newConnectionLatency } from './measure';
import { idleForwardMemory } from './memory';
import { longLink } from './long-link';
import { parseOptions, USAGE, type BenchOptions } from './options';
import { Report, type Section } from './report';
import { startPair, type PairOptions } from './sides';
import { fmt, MiB } from './stats';
import { startTargets, type Targets } from './targets';
import { splitReply } from './split-reply';

const CIPHER = 'aes128-gcm@openssh.com';
const log = (msg: string) => process.stderr.write(`${msg}\n`);

async function withPair(sshd: Sshd, targets: Targets, o: PairOptions, body: (pair: Awaited<ReturnType<typeof startPair>>) => Promise<void>) {
  const pair = await startPair(sshd, targets, o);
  try {
    await body(pair);
  } finally {
    await pair.close();
  }
}

async function localSame(opts: BenchOptions, sshd: Sshd, targets: Targets, section: Section) {
  await withPair(sshd, targets, { kind: 'local', burrowCipher: CIPHER, opensshCipher: CIPHER, cpuProfileDir: opts.cpuProfileDir }, async (pair) => {
    for (const dir of ['upload', 'download'] as const) section.rows.push(...(await bulk(pair, dir, opts.bulkBytes, opts.bulkRounds)).rows);
    section.rows.push(...(await newConnectionLatency(pair, opts.latencyCount)));
    section.rows.push(...(await splitReply(pair, opts.quick ? 10 : 50)));
    section.rows.push(...(await manyAtOnce(pair, opts.concurrency, opts.concurrencyRounds)));
    section.rows.push(...(await memoryPerConnection(pair, opts.openConnections)));
  });
}

async function localDefault(opts: BenchOptions, sshd: Sshd, targets: Targets, section: Section) {
  section.notes.push(`Burrow negotiates ${ssh2DefaultCipher()} (ssh2's first choice), OpenSSH ${opensshDefaultCipher()}.`);
  await withPair(sshd, targets, { kind: 'local' }, async (pair) => {
    for (const dir of ['upload', 'download'] as const) section.rows.push(...(await bulk(pair, dir, opts.bulkBytes, opts.bulkRounds)).rows);
    section.rows.push(...(await newConnectionLatency(pair, Math.round(opts.latencyCount / 2), false)));
  });
}

/** The desktop app's engine: ssh2 inside Electron cannot load the native binding (Electron uses BoringSSL). */
async function localApp(opts: BenchOptions, sshd: Sshd, targets: Targets, section: Section) {
  if (!ssh2NativeBinding()) {
    section.notes.push('skipped: the native binding is not loaded here, so the first section already measures this.');
    return;
  }
  section.notes.push(
    "Engine child with ssh2's native binding disabled (BENCH_EXPERIMENT=nonative), as in the Electron app; `burrow` on Node uses the binding.",
  );
  await withPair(sshd, targets, { kind: 'local', burrowCipher: CIPHER, opensshCipher: CIPHER, experiment: 'nonative' }, async (pair) => {
    for (const dir of ['upload', 'download'] as const) section.rows.push(...(await bulk(pair, dir, opts.bulkBytes, opts.bulkRounds)).rows);
    section.rows.push(...(await newConnectionLatency(pair, Math.round(opts.latencyCount / 2))));
  });
}

async function otherKind(kind: 'dynamic' | 'remote', opts: BenchOptions, sshd: Sshd, targets: Targets, section: Section) {
  const probe = await EngineProcess.spawn();
  const has = await probe.request({ cmd: 'probe' }).finally(() => probe.close());
  if (!has[kind]) {
    section.notes.push(`not available yet: ${has.why[kind] ?? 'no runtime'}`);
    log(`${section.title}: not available yet`);
    return;
  }
  await withPair(sshd, targets, { kind, burrowCipher: CIPHER, opensshCipher: CIPHER }, async (pair) => {
    for (const dir of ['upload', 'download'] as const) section.rows.push(...(await bulk(pair, dir, opts.bulkBytes, opts.bulkRounds)).rows);
    section.rows.push(...(await newConnectionLatency(pair, Math.round(opts.latencyCount / 2))));
  });
}

async function run(opts: BenchOptions): Promise<Report> {
  const report = new Report();
  const wanted = (key: string) => opts.only.length === 0 || opts.only.includes(key);
  let sshd: Sshd | undefined;
  let targets: Targets | undefined;
  try {
    sshd = await startSshd();
    track(sshd.process, { family: true });
    targets = await startTargets();
    const steps: Array<[string, string, (s: Section) => Promise<void>]> = [
      ['local', `-L, both ${CIPHER}`, (s) => localSame(opts, sshd!, targets!, s)],
      ['default', `-L, each side's default cipher`, (s) => localDefault(opts, sshd!, targets!, s)],
      ['app', `-L as the desktop app runs it (no native binding), both ${CIPHER}`, (s) => localApp(opts, sshd!, targets!, s)],
      [
        'memory',
        'Memory: idle forwards (one session)',
        async (s) => {
          const m = await idleForwardMemory(sshd!, targets!, opts.forwardCounts);
          s.rows.push(...m.rows);
          s.notes.push(...m.notes);
        },
      ],
      ['dynamic', `-D (SOCKS5), both ${CIPHER}`, (s) => otherKind('dynamic', opts, sshd!, targets!, s)],
      ['remote', `-R, both ${CIPHER}`, (s) => otherKind('remote', opts, sshd!, targets!, s)],
      ['start', 'Start time of the `burrow` command', (s) => cliStart(s, opts.quick ? 5 : 15)],
      [
        'long',
        `Long link: -L through a delay proxy, both ${CIPHER}`,
        async (s) => {
          const l = await longLink(sshd!, targets!, { ...opts.longLink, cipher: CIPHER });
          s.rows.push(...l.rows);
          s.notes.push(...l.notes);
        },
      ],
    ];
    for (const [key, title, step] of steps) {
      if (!wanted(key)) continue;
      log(`${title} ...`);
      const section = report.section(title);
      try {
        await step(section);
      } catch (e) {
        section.notes.push(`FAILED: ${(e as Error).message}`);
        throw e;
      }
    }
  } finally {
    await targets?.close();
    await cleanup(sshd);
  }
  return report;
}

async function main(): Promise<number> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const opts = parseOptions(process.argv.slice(2));
  const watchdog = setTimeout(() => {
    log(`bench: gave up after ${opts.deadlineMs / 1000} s`);
    killAllNow();
    process.exit(1);
  }, opts.deadlineMs);
  watchdog.unref();
  const t0 = performance.now();
  const header = [
    `# Burrow vs OpenSSH${opts.quick ? ' (--quick: smaller sizes, one round; a smoke run, not a measurement)' : ''}`,
    ...machineLines(),
    `bulk ${opts.bulkBytes / MiB} MiB per run, ${opts.bulkRounds} A/B round(s); Burrow's engine runs in its own process, as ssh does, compiled by esbuild as shipped.`,
  ];
  log(`bench: starting (${opts.quick ? 'quick' : 'full'} run); progress below, results at the end`);
  let report: Report;
  try {
    report = await run(opts);
  } catch (e) {
    log(`bench failed: ${(e as Error).stack ?? e}`);
    killAllNow();
    return 1;
  } finally {
    clearTimeout(watchdog);
  }
  const out = [...header, report.render(), ''];
  const targets = report.targets();
  out.push('## Targets', '');
  for (const { section, row } of targets) out.push(`- ${row.pass ? 'MET    ' : 'NOT MET'} ${row.metric.trim()} [${section}]: ${row.target}`);
  out.push(
    '',
    `finished in ${fmt((performance.now() - t0) / 1000)} s; load average now ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  process.stdout.write(out.join('\n') + '\n');
  if (liveCount() > 0) {
    log(`bench: ${liveCount()} child process(es) still running; ending them`);
    killAllNow();
  }
  return 0;
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    killAllNow();
    process.exit(130);
  });
}
process.on('exit', () => killAllNow());
process.exitCode = await main();
