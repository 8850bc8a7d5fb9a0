// The benchmark's handle on the child process running Burrow's engine.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { end, track, waitExit } from './children';
import type { EngineReplies, EngineRequest, ReplyEnvelope } from './engine-protocol';

const CHILD = fileURLToPath(new URL('./engine-child.ts', import.meta.url));
const BUNDLE = fileURLToPath(new URL('../../out/bench/engine-child.mjs', import.meta.url));

let built: Promise<unknown> | undefined;
/**
 * The child runs the engine as the app and the command ship it: compiled by
 * esbuild, not through tsx (whose keepNames defines every function's name as it
 * is created: 1.5% to 4% of a new connection's time, docs/benchmarks.md).
 * ssh2 stays a package, as in the app's main bundle, so that experiments.ts
 * patches the copy the engine uses.
 */
function buildChild(): Promise<unknown> {
  built ??= build({
    entryPoints: [CHILD],
    outfile: BUNDLE,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['ssh2', 'cpu-features'],
    logLevel: 'error',
  });
  return built;
}

export class EngineProcess {
  private seq = 0;
  private pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  private constructor(readonly child: ChildProcess) {
    child.on('message', (m: ReplyEnvelope) => {
      const p = this.pending.get(m.seq);
      if (!p) return;
      this.pending.delete(m.seq);
      if (m.ok) p.resolve(m.result);
      else p.reject(new Error(`engine: ${m.error}`));
    });
    child.on('exit', (code, signal) => {
      for (const p of this.pending.values()) p.reject(new Error(`engine process exited (${code ?? signal})`));
      this.pending.clear();
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  /**
   * Starts the child; cpuProfileDir turns on `node --cpu-prof` for it. BENCH_ENGINE_FLAGS adds
   * Node flags to it (e.g. `--perf-basic-prof` for `perf record`, `--trace-gc`).
   */
  static async spawn(opts: { cpuProfileDir?: string; experiment?: string } = {}): Promise<EngineProcess> {
    const execArgv = ['--expose-gc', ...(process.env.BENCH_ENGINE_FLAGS?.split(' ').filter(Boolean) ?? [])];
    if (opts.cpuProfileDir) execArgv.push('--cpu-prof', `--cpu-prof-dir=${opts.cpuProfileDir}`);
    await buildChild();
    const child = track(
      fork(BUNDLE, [], {
        execArgv,
        env: opts.experiment === undefined ? process.env : { ...process.env, BENCH_EXPERIMENT: opts.experiment },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      }),
    );
    const ep = new EngineProcess(child);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('engine process did not start within 30 s')), 30_000);
      ep.pending.set(0, {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
    });
    return ep;
  }

  request<C extends EngineRequest['cmd']>(req: Extract<EngineRequest, { cmd: C }>, timeoutMs = 60_000): Promise<EngineReplies[C]> {
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(seq);
        reject(new Error(`engine: '${req.cmd}' got no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(seq, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as EngineReplies[C]);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.child.send({ seq, ...req });
    });
  }

  /** Shuts the engine down cleanly (so a CPU profile gets written), then ends the process. */
  async close(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null && this.child.connected) {
      await this.request({ cmd: 'shutdown' }, 10_000).catch(() => undefined);
      // It leaves by itself once the channel closes (writing its CPU profile, if any).
      if (await waitExit(this.child, 10_000)) return;
    }
    await end(this.child, 5_000);
  }
}
