// The child process that owns Burrow's tunnels during the benchmark, as the
// Electron main process does in the app. Driven over the IPC channel.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { ForwardContext } from '../../electron/tunnels/forward-runtime';
import type { EngineReplies, EngineRequest, Envelope, ReplyEnvelope } from './engine-protocol';
import { applyExperiments } from './experiments';
import { boundOf } from '../../shared/tunnel-state';

// Experiments patch ssh2 before anything loads it.
applyExperiments();
const { TunnelEngine } = await import('../../electron/tunnels/engine');
const { runtimeFactories } = await import('../../electron/tunnels/runtimes');

const engine = new TunnelEngine({ logLimit: 50 });
let histogram: ReturnType<typeof monitorEventLoopDelay> | undefined;

/** Whether a kind of forward has a runtime (building one has no side effects). */
function probe(): EngineReplies['probe'] {
  const why: Record<string, string> = {};
  const has = (kind: 'local' | 'dynamic' | 'remote') => {
    try {
      const spec = { kind, listen: { host: '127.0.0.1', port: 0 }, target: kind === 'dynamic' ? undefined : { host: '127.0.0.1', port: 1 } };
      runtimeFactories[kind](spec, {} as ForwardContext);
      return true;
    } catch (e) {
      why[kind] = (e as Error).message;
      return false;
    }
  };
  return { local: has('local'), dynamic: has('dynamic'), remote: has('remote'), why };
}

async function handle(req: EngineRequest): Promise<unknown> {
  switch (req.cmd) {
    case 'probe':
      return probe();
    case 'start': {
      const out: Record<string, number> = {};
      for (const f of req.forwards) engine.add(f.id, req.host, f.spec);
      const infos = await Promise.all(req.forwards.map((f) => engine.start(f.id)));
      for (const info of infos) {
        const bound = boundOf(info.state);
        out[info.id] = bound && 'port' in bound ? bound.port : -1;
      }
      return out;
    }
    case 'gc': {
      const gc = (globalThis as { gc?: () => void }).gc;
      for (let i = 0; i < 3; i++) {
        gc?.();
        await new Promise((r) => setTimeout(r, 50));
      }
      return null;
    }
    case 'heap': {
      await handle({ cmd: 'gc' });
      const m = process.memoryUsage();
      return m.heapUsed + m.external;
    }
    case 'loopDelayStart':
      histogram?.disable();
      histogram = monitorEventLoopDelay({ resolution: 10 });
      histogram.enable();
      return null;
    case 'loopDelayStop': {
      const h = histogram;
      histogram = undefined;
      if (!h) return { p50Ms: NaN, p99Ms: NaN, maxMs: NaN };
      h.disable();
      return { p50Ms: h.percentile(50) / 1e6, p99Ms: h.percentile(99) / 1e6, maxMs: h.max / 1e6 };
    }
    case 'shutdown':
      await engine.shutdown();
      return null;
  }
}

process.on('message', (msg: Envelope) => {
  const { seq, ...req } = msg;
  handle(req as EngineRequest).then(
    (result) => {
      process.send!({ seq, ok: true, result } satisfies ReplyEnvelope);
      if (req.cmd === 'shutdown') process.disconnect();
    },
    (err: Error) => process.send!({ seq, ok: false, error: err.message } satisfies ReplyEnvelope),
  );
});
// The benchmark going away (even by SIGKILL) closes the channel: leave with it.
process.on('disconnect', () => process.exit(0));
process.send!({ seq: 0, ok: true, result: 'ready' } satisfies ReplyEnvelope);
