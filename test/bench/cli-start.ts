// Start time of the `burrow` command (the compiled bundle, as `npm install` builds
// it) against a bare `node -e 0` in the same run, alternately, median of N runs;
// `ssh -V` for reference. Target: `burrow --help` and `burrow ls` within 2x node.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildCli } from '../../bin/build-cli.mjs';
import { BURROW, ROOT } from '../support/cli';
import type { Section } from './report';
import { fmt, median, ratio } from './stats';

const TARGET = 2;

export async function cliStart(section: Section, runs: number): Promise<void> {
  await buildCli({ quiet: true });
  const configDir = mkdtempSync(join(tmpdir(), 'burrow-bench-start-'));
  const env = { ...process.env, BURROW_CONFIG_DIR: configDir };
  const run = (cmd: string, args: string[]) => {
    const t0 = performance.now();
    const r = spawnSync(cmd, args, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
    const ms = performance.now() - t0;
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    return ms;
  };
  try {
    // `ls` lists something: two hosts, two forwards (their local ports are probed).
    for (const args of [
      ['add', 'host', 'one', 'alice@127.0.0.1'],
      ['add', 'host', 'two', 'bob@127.0.0.1:2222'],
      ['add', 'forward', 'pop3', '-L', '1100:mail.example.com:110', '--via', 'one'],
      ['add', 'forward', 'socks', '-D', '1080', '--via', 'two'],
    ])
      run(process.execPath, [BURROW, ...args]);
    const cases: Array<[label: string, cmd: string, args: string[]]> = [
      ['node -e 0', process.execPath, ['-e', '0']],
      ['burrow --help', process.execPath, [BURROW, '--help']],
      ['burrow ls', process.execPath, [BURROW, 'ls']],
      ['ssh -V', 'ssh', ['-V']],
    ];
    const times = new Map(cases.map(([label]) => [label, [] as number[]]));
    // One warm-up round (file cache), then alternate so that load changes hit every case alike.
    for (let i = 0; i <= runs; i++) {
      for (const [label, cmd, args] of cases) {
        const ms = run(cmd, args);
        if (i > 0) times.get(label)!.push(ms);
      }
    }
    const node = median(times.get('node -e 0')!);
    const ssh = median(times.get('ssh -V')!);
    for (const label of ['burrow --help', 'burrow ls']) {
      const ms = median(times.get(label)!);
      const r = ratio(ms, node);
      section.rows.push({
        metric: `${label}: start to exit (median of ${runs})`,
        burrow: `${fmt(ms, 0)} ms`,
        openssh: `node -e 0: ${fmt(node, 0)} ms`,
        ratio: r,
        target: `<= ${TARGET}x node -e 0`,
        pass: r <= TARGET,
      });
    }
    section.notes.push(`Here the ratio column is against a bare \`node -e 0\` (the floor for any Node program); OpenSSH's \`ssh -V\` takes ${fmt(ssh, 0)} ms.`);
  } finally {
    rmSync(configDir, { recursive: true, force: true });
  }
}
