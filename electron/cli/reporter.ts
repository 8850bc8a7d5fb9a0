// Event output: one line per event on stderr for people, or with --json one
// JSON object per line on stdout for scripts (each with an "event" field).
// Every line for people has one shape: "burrow: [FORWARD: ][error: |warning: ]text".
import { BurrowError } from '../../shared/errors';
import { formatEndpoint, formatForwardSpec, forwardFlag } from '../../shared/forward-spec';
import { unprivilegedPort } from '../../shared/presets';
import { exposureOf } from '../../shared/exposure';
import type { ForwardSpec } from '../../shared/forward-spec';
import type { TunnelEngine } from '../tunnels/engine';
import type { ForwardInfo } from '../tunnels/types';
import { destinationFailing } from '../../shared/tunnel-state';
import type { CliIO } from './io';

export interface Reporter {
  /** human null: for scripts only (--json), nothing new for people. */
  event(name: string, fields: Record<string, unknown>, human: string | null): void;
  /** An error, said once; hint: what to do, in the words of the command that runs. */
  error(err: BurrowError, forward?: string, hint?: string): void;
}

export function createReporter(io: CliIO, json: boolean): Reporter {
  // Read at each line: -E (io.log) is known only once the command line has been read.
  const human = (line: string) => (io.log ?? io.stderr).write(`burrow: ${line}\n`);
  return {
    event(name, fields, text) {
      if (json) io.stdout.write(JSON.stringify({ event: name, time: new Date().toISOString(), ...fields }) + '\n');
      else if (text !== null) human(text);
    },
    error(err, forward, hint) {
      if (json)
        io.stdout.write(
          JSON.stringify({ event: 'error', time: new Date().toISOString(), forward, code: err.code, message: err.message, ...(hint ? { hint } : {}) }) + '\n',
        );
      else human(`${forward ? `${forward}: ` : ''}error: ${err.message}${hint ? ` ${hint}` : ''}`);
    },
  };
}

/** A command's own advice for an engine error (the engine names no flags): e.g. the spec to try instead. */
export type HintFor = (err: BurrowError, forward: ForwardInfo) => string | undefined;

export interface ReportOptions {
  /** Said with the first countdown: how to skip it. */
  retryHint?: string;
  hintFor?: HintFor;
}

/** Reports what the engine does, for every forward it runs. */
export function reportEngine(engine: TunnelEngine, reporter: Reporter, opts: ReportOptions = {}): void {
  let hinted = false;
  /** The last error said per forward: a 'failed' state with the same reason does not say it again. */
  const said = new Map<string, string>();
  const last = new Map<string, string>();
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
    let text: string = state.state;
    if (state.state === 'reconnecting' && state.nextAttemptAt) {
      text = `reconnecting in ${Math.max(0, Math.round((state.nextAttemptAt - Date.now()) / 1000))} s${state.attempt ? ` (attempt ${state.attempt})` : ''}`;
    } else if (state.state === 'reconnecting' && state.attempt) {
      text = `reconnecting (attempt ${state.attempt} under way)`;
    } else if (state.state === 'failed' && state.reason && said.get(id) === state.reason.message) {
      text = 'failed (see the error above)';
    } else if ((state.state === 'failed' || state.state === 'reconnecting') && state.reason) {
      text = `${state.state}: ${state.reason.message}`;
    } else if (destinationFailing(state)) {
      text = 'active (SSH up, destination failing)';
    }
    const hint = opts.retryHint && !hinted && state.state === 'reconnecting' && state.nextAttemptAt ? opts.retryHint : undefined;
    if (hint) hinted = true;
    // A failed forward being put away on exit is nothing new for people; nor is a
    // destination reached for the first time (still "active").
    const quiet = (state.state === 'stopped' && last.get(id) === 'failed') || (!hint && last.get(id) === text);
    last.set(id, state.state === 'failed' ? 'failed' : text);
    reporter.event('state', { forward: id, ...state, ...(hint ? { hint } : {}) }, quiet ? null : `${id}: ${text}${hint ? `; ${hint}` : ''}`);
  });
  engine.on('log', (entry) => {
    if (entry.level === 'error' && entry.code) {
      const err = new BurrowError(entry.code, entry.message);
      const id = entry.forwardId;
      if (id) said.set(id, entry.message);
      reporter.error(err, id, id && engine.has(id) ? opts.hintFor?.(err, engine.get(id)) : undefined);
    } else if (entry.level === 'warn') {
      reporter.event('log', { ...entry }, `${entry.forwardId ? `${entry.forwardId}: ` : ''}warning: ${entry.message}`);
    }
  });
}

/** The forward's spec with another local port, for "choose another port" advice. */
function withPort(info: ForwardInfo, port: number): string | undefined {
  const listen = info.spec.listen;
  if (!('port' in listen)) return undefined;
  return `${forwardFlag(info.spec.kind)} ${formatForwardSpec({ ...info.spec, listen: { ...listen, port } })}`;
}

/** The port a refused local listener could take instead: the next one, or the unprivileged stand-in. */
function otherPort(err: BurrowError, info: ForwardInfo): number | undefined {
  const listen = info.spec.listen;
  if (!('port' in listen) || info.spec.kind === 'remote') return undefined;
  if (err.code === 'PORT_IN_USE') return listen.port + 1;
  if (err.code === 'PORT_PRIVILEGED') return unprivilegedPort(listen.port);
  return undefined;
}

/** burrow connect: the flags it takes. */
export const connectHints: HintFor = (err, info) => {
  const port = otherPort(err, info);
  const spec = port !== undefined ? withPort(info, port) : undefined;
  return spec ? `For example: ${spec}` : undefined;
};

/** burrow up: the saved forward is changed with burrow edit. */
export const upHints: HintFor = (err, info) => {
  const port = otherPort(err, info);
  const spec = port !== undefined ? withPort(info, port) : undefined;
  return spec ? `For example: burrow edit forward ${info.id} ${spec}` : undefined;
};

/** Says out loud when a forward listens beyond loopback (louder for an open SOCKS proxy): the app's forms use the same rule. */
export function warnExposure(reporter: Reporter, id: string, spec: ForwardSpec, socksLogin = !!spec.socksAuth): void {
  const exposure = exposureOf(spec.kind, spec.listen, { socksLogin });
  if (!exposure) return;
  const code = exposure.level === 'open-proxy' ? 'OPEN_PROXY' : 'EXPOSED';
  reporter.event('log', { level: 'warn', code, forward: id, message: exposure.message }, `${id}: warning: ${exposure.message}`);
}
