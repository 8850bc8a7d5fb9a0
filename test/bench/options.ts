// Command-line options of `npm run bench` and the sizes each mode uses.
import { MiB } from './stats';

export interface BenchOptions {
  quick: boolean;
  /** Bytes per bulk transfer. */
  bulkBytes: number;
  /** A/B rounds for bulk transfers. */
  bulkRounds: number;
  /** Sequential connections per side for new-connection latency. */
  latencyCount: number;
  /** Simultaneous connections through one forward. */
  concurrency: number;
  concurrencyRounds: number;
  /** Idle open connections for the per-connection memory figure. */
  openConnections: number;
  /** Idle forward counts for the memory figures. */
  forwardCounts: number[];
  /** Run only these sections (by key), all when empty. */
  only: string[];
  /** Write `node --cpu-prof` profiles of the engine process here. */
  cpuProfileDir?: string;
  /** Give up (and clean up) after this long. */
  deadlineMs: number;
  /** The long-link section (long-link.ts). */
  longLink: { rttsMs: number[]; bulkBytes: number; rounds: number; firstByteRounds: number; slowReaderBytes: number; bytesPerSecond?: number };
}

export const USAGE = `Usage: npm run bench -- [--quick] [--only local,default,app,memory,dynamic,remote,start,long] [--cpu-prof DIR] [--bulk-mib N] [--rounds N] [--link-mib-s N] [--rtts 0,50,100]`;

export function parseOptions(argv: string[]): BenchOptions {
  const quick = argv.includes('--quick');
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const known = new Set(['--quick', '--only', '--cpu-prof', '--bulk-mib', '--rounds', '--link-mib-s', '--rtts']);
  for (let i = 0; i < argv.length; i++) {
    if (!known.has(argv[i])) throw new Error(`Unknown argument '${argv[i]}'. ${USAGE}`);
    if (argv[i] !== '--quick') i++;
  }
  const bulkMiB = Number(value('--bulk-mib') ?? (quick ? 32 : 128));
  const rounds = Number(value('--rounds') ?? (quick ? 1 : 3));
  return {
    quick,
    bulkBytes: bulkMiB * MiB,
    bulkRounds: rounds,
    latencyCount: quick ? 100 : 400,
    concurrency: 1000,
    concurrencyRounds: quick ? 1 : 2,
    openConnections: quick ? 50 : 200,
    forwardCounts: [1, 50, 200],
    only: (value('--only') ?? '').split(',').filter(Boolean),
    cpuProfileDir: value('--cpu-prof'),
    deadlineMs: quick ? 4 * 60_000 : 20 * 60_000,
    longLink: {
      rttsMs: value('--rtts')?.split(',').map(Number) ?? (quick ? [0, 100] : [0, 50, 100]),
      bulkBytes: Number(value('--bulk-mib') ?? (quick ? 8 : 64)) * MiB,
      rounds,
      firstByteRounds: quick ? 1 : 5,
      slowReaderBytes: (quick ? 8 : 32) * MiB,
      bytesPerSecond: value('--link-mib-s') ? Number(value('--link-mib-s')) * MiB : undefined,
    },
  };
}
