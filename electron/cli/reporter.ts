// Event output: one line per event on stderr for people, or with --json one
// JSON object per line on stdout for scripts (each with an "event" field).
import { BurrowError } from '../../shared/errors';
import { formatEndpoint, formatForwardSpec, forwardFlag } from '../../shared/forward-spec';
import type { TunnelEngine } from '../tunnels/engine';
import type { CliIO } from './io';

export interface Reporter {
  event(name: string, fields: Record<string, unknown>, human: string): void;
  error(err: BurrowError, forward?: string): void;
}

export function createReporter(io: CliIO, json: boolean): Reporter {
  // Read at each line: -E (io.log) is known only once the command line has been read.
  const human = (line: string) => (io.log ?? io.stderr).write(`burrow: ${line}\n`);
  return {
    event(name, fields, text) {
      if (json) io.stdout.write(JSON.stringify({ event: name, time: new Date().toISOString(), ...fields }) + '\n');
      else human(text);
    },
    error(err, forward) {
      if (json) io.stdout.write(JSON.stringify({ event: 'error', time: new Date().toISOString(), forward, code: err.code, message: err.message }) + '\n');
      else human(`error: ${err.message}`);
    },
  };
}

/** Reports what the engine does, for every forward it runs. With retryHint, the first countdown says how to skip it. */
export function reportEngine(engine: TunnelEngine, reporter: Reporter, opts: { retryHint?: string } = {}): void {
  let hinted = false;
  engine.on('listening', (id, bound) => {
    const info = engine.get(id);
    const spec = `${forwardFlag(info.spec.kind)} ${formatForwardSpec(info.spec)}`;
    const via = info.host.alias;
    if ('path' in bound) {
      reporter.event('listening', { forward: id, path: bound.path, spec }, `${id}: listening on ${bound.path} (${spec} via ${via})`);
    } else {
      const dest = info.spec.target ? ` -> ${formatEndpoint(info.spec.target)}` : ' (SOCKS)';
      reporter.event('listening', { forward: id, bind: bound.host, port: bound.port, spec }, `${id}: listening on ${formatEndpoint(bound)}${dest} via ${via}`);
    }
  });
  engine.on('state', (id, state) => {
    const extra =
      state.state === 'reconnecting' && state.nextAttemptAt
        ? ` (reconnecting in ${Math.max(0, Math.round((state.nextAttemptAt - Date.now()) / 1000))} s, attempt ${state.attempt})`
        : state.reason && state.state !== 'active'
          ? `: ${state.reason.message}`
          : state.destinationFailing
            ? ' (SSH up, destination failing)'
            : '';
    const hint = opts.retryHint && !hinted && state.state === 'reconnecting' && state.nextAttemptAt ? opts.retryHint : undefined;
    if (hint) hinted = true;
    reporter.event('state', { forward: id, ...state, ...(hint ? { hint } : {}) }, `${id}: ${state.state}${extra}${hint ? `; ${hint}` : ''}`);
  });
  engine.on('log', (entry) => {
    if (entry.level === 'error' && entry.code) {
      reporter.error(new BurrowError(entry.code, entry.message), entry.forwardId);
    } else if (entry.level === 'warn') {
      reporter.event('log', { ...entry }, `${entry.forwardId ?? ''}${entry.forwardId ? ': ' : ''}${entry.message}`);
    }
  });
}
