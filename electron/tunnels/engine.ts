// The tunnel engine: forwards, the shared sessions they run over, their states,
// stats and logs. Plain Node; the app, the CLI and the tests drive it alike.
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import net from 'node:net';
import { BurrowError, ERROR_INFO, isBurrowError } from '../../shared/errors';
import { formatEndpoint, isUnix, type Endpoint, type ForwardSpec } from '../../shared/forward-spec';
import { SshSession, sessionKey, type ReconnectPolicy, type SessionStatusInfo } from './session';
import type { ForwardContext, ForwardRuntime, LiveConnection } from './forward-runtime';
import { boundOf, reasonOf, type BoundAddress, type DestinationStatus, type HealthResult } from '../../shared/tunnel-state';
import type { EngineEvents, ForwardInfo, ForwardState, ForwardStats, HostConfig, LogEntry, LogLevel, Prompter } from './types';
import { runtimeFactories } from './runtimes';

export type { HealthResult };

export interface EngineOptions {
  prompter?: Prompter;
  /** The stored password of a saved host (HostConfig.savedPassword); null when none is stored. */
  savedPassword?: (host: string) => Promise<string | null>;
  reconnect?: Partial<ReconnectPolicy>;
  /** How long a new connection waits for a reconnecting session (ms). */
  connectionWaitMs?: number;
  /** Timeout for opening a channel to the destination (ms). */
  channelTimeoutMs?: number;
  /** Log lines kept per forward. */
  logLimit?: number;
  /**
   * When a forward's first connection fails with an error that may heal (refused,
   * timed out, name not resolved, network unreachable): keep it 'reconnecting' with
   * the usual backoff instead of failing it. Default true (the app, `burrow up`);
   * `burrow connect` turns it off to fail fast as ssh does. Errors that will not
   * heal (authentication, host keys, unusable keys) fail at once either way.
   */
  retryFirstConnect?: boolean;
}

interface Entry {
  id: string;
  spec: ForwardSpec;
  host: HostConfig;
  state: ForwardState;
  stats: ForwardStats;
  runtime?: ForwardRuntime;
  session?: SshSession;
  /** Bumped by every start/stop, so that a stale start cleans up after itself. */
  generation: number;
  /** A start in progress: a second start (a double click) joins it. */
  starting?: Promise<ForwardInfo>;
  /** What a start in progress holds: a stop releases it at once (the session's handshake ends there and then). */
  startingWith?: { runtime: ForwardRuntime; session: SshSession };
  logs: LogEntry[];
  /** What this run has learnt of the destination; kept across the session's reconnects, reset by a start. */
  destination: DestinationStatus;
  /** healthCheckAtStart: the check is due when the forward next becomes active (a start may wait for its session). */
  checkWhenActive?: boolean;
}

const UNTRIED: DestinationStatus = { status: 'untried' };
const REACHABLE: DestinationStatus = { status: 'reachable' };

const portOf = (s: ForwardState) => {
  const b = boundOf(s);
  return b && 'port' in b ? b.port : undefined;
};

const emptyStats = (): ForwardStats => ({ openConnections: 0, totalConnections: 0, bytesIn: 0, bytesOut: 0 });

export class TunnelEngine extends EventEmitter<EngineEvents> {
  private forwards = new Map<string, Entry>();
  private sessions = new Map<string, { session: SshSession; users: Set<string> }>();
  private readonly connectionWaitMs: number;
  private readonly channelTimeoutMs?: number;
  private readonly logLimit: number;

  constructor(private opts: EngineOptions = {}) {
    super();
    this.connectionWaitMs = opts.connectionWaitMs ?? 10_000;
    this.channelTimeoutMs = opts.channelTimeoutMs;
    this.logLimit = opts.logLimit ?? 500;
  }

  add(id: string, host: HostConfig, spec: ForwardSpec): void {
    if (this.forwards.has(id)) throw new BurrowError('CONFLICT', `A forward named '${id}' already exists.`);
    if (!spec.target && spec.kind !== 'dynamic') throw new BurrowError('SPEC_INVALID', `Forward '${id}' has no destination.`);
    this.forwards.set(id, { id, spec, host, state: { state: 'stopped' }, stats: emptyStats(), generation: 0, logs: [], destination: UNTRIED });
  }

  /** Replaces a stopped forward's definition. */
  update(id: string, host: HostConfig, spec: ForwardSpec): void {
    const e = this.entry(id);
    if (e.runtime) throw new BurrowError('CONFLICT', `Stop forward '${id}' before changing it.`);
    e.host = host;
    e.spec = spec;
  }

  has(id: string): boolean {
    return this.forwards.has(id);
  }

  async remove(id: string): Promise<void> {
    if (!this.forwards.has(id)) return;
    await this.stop(id);
    this.forwards.delete(id);
  }

  list(): ForwardInfo[] {
    return [...this.forwards.values()].map((e) => this.info(e));
  }

  get(id: string): ForwardInfo {
    return this.info(this.entry(id));
  }

  stats(): Record<string, ForwardStats> {
    const out: Record<string, ForwardStats> = {};
    for (const e of this.forwards.values()) out[e.id] = { ...e.stats };
    return out;
  }

  logs(id: string): LogEntry[] {
    return [...this.entry(id).logs];
  }

  connections(id: string): LiveConnection[] {
    return this.entry(id).runtime?.connections() ?? [];
  }

  closeConnection(id: string, connectionId: number): boolean {
    return this.entry(id).runtime?.closeConnection(connectionId) ?? false;
  }

  private info(e: Entry): ForwardInfo {
    return { id: e.id, spec: e.spec, host: e.host, state: { ...e.state }, stats: { ...e.stats } };
  }

  private entry(id: string): Entry {
    const e = this.forwards.get(id);
    if (!e) throw new BurrowError('NOT_FOUND', `There is no forward named '${id}'.`);
    return e;
  }

  private setState(e: Entry, state: ForwardState) {
    e.state = state;
    this.emit('state', e.id, { ...state });
  }

  private setActive(e: Entry, bound: BoundAddress) {
    this.setState(e, { state: 'active', bound, destination: e.destination });
    if (e.checkWhenActive) {
      e.checkWhenActive = false;
      void this.healthCheck(e.id);
    }
  }

  /** Records what a connection or a health check learnt of the destination (shown while active). */
  private setDestination(e: Entry, destination: DestinationStatus) {
    const said = (d: DestinationStatus) => (d.status === 'failing' ? `failing: ${d.reason.message}` : d.status);
    const changed = said(e.destination) !== said(destination);
    e.destination = destination;
    if (e.state.state === 'active' && changed) this.setActive(e, e.state.bound);
  }

  private log(e: Entry | undefined, level: LogLevel, message: string, code?: BurrowError['code']) {
    const entry: LogEntry = { time: Date.now(), level, forwardId: e?.id, code, message };
    if (e) {
      e.logs.push(entry);
      if (e.logs.length > this.logLimit) e.logs.splice(0, e.logs.length - this.logLimit);
    }
    this.emit('log', entry);
  }

  private acquireSession(e: Entry): SshSession {
    const key = sessionKey(e.host);
    let slot = this.sessions.get(key);
    if (!slot) {
      const session = new SshSession(e.host, {
        prompter: this.opts.prompter,
        savedPassword: this.opts.savedPassword,
        forwards: () => [...slot!.users],
        reconnect: this.opts.reconnect,
        retryFirstConnect: this.opts.retryFirstConnect ?? true,
        log: (level, message, code) => {
          for (const id of slot!.users) this.log(this.forwards.get(id), level, message, code);
        },
      });
      slot = { session, users: new Set() };
      const s = slot;
      session.on('status', (info: SessionStatusInfo) => this.onSessionStatus(s.session, s.users, info));
      this.sessions.set(key, slot);
    }
    slot.users.add(e.id);
    return slot.session;
  }

  private releaseSession(e: Entry, session: SshSession) {
    const slot = this.sessions.get(session.key);
    if (!slot || slot.session !== session) return;
    slot.users.delete(e.id);
    if (slot.users.size === 0) {
      this.sessions.delete(session.key);
      session.close();
    }
  }

  private onSessionStatus(session: SshSession, users: Set<string>, info: SessionStatusInfo) {
    for (const id of [...users]) {
      const e = this.forwards.get(id);
      if (!e || !e.runtime || e.session !== session) continue; // not running (yet): start() owns its state
      if (info.status === 'up') {
        // A remote forward is active only once the server listens again: it reports
        // that (or its refusal) through the context's listening() and retrying().
        if (e.runtime.sessionUp) e.runtime.sessionUp();
        else {
          const bound = boundOf(e.state);
          if (bound) this.setActive(e, bound);
        }
      } else if (info.status === 'reconnecting') {
        this.setState(e, { state: 'reconnecting', bound: boundOf(e.state), reason: info.reason, attempt: info.attempt, nextAttemptAt: info.nextAttemptAt });
      } else if (info.status === 'failed') {
        // An error that will not heal: free the listener, report why.
        const reason = info.reason ?? { code: 'SSH_DISCONNECTED' as const, message: `The SSH session to ${session.label} ended.` };
        void this.teardown(e).then(() => this.setState(e, { state: 'failed', reason }));
      }
    }
  }

  /** Publishes where a forward listens: its state, a log line and the 'listening' event. */
  private published(e: Entry, where: Endpoint) {
    this.log(e, 'info', `Listening on ${formatEndpoint(where)}.`);
    this.emit('listening', e.id, isUnix(where) ? { path: where.path } : { host: where.host, port: where.port });
  }

  private context(e: Entry, session: SshSession): ForwardContext {
    const generation = e.generation;
    // Reports from a runtime that has since been stopped (or replaced) are dropped.
    const current = () => e.generation === generation && e.session === session && !!e.runtime;
    return {
      id: e.id,
      session,
      stats: e.stats,
      connectionWaitMs: this.connectionWaitMs,
      // Opening a channel is bounded like connecting: by the host's ConnectTimeout unless set here.
      channelTimeoutMs: this.channelTimeoutMs ?? e.host.connectTimeout * 1000,
      log: (level, message, code) => this.log(e, level, message, code),
      destinationOk: () => {
        if (current()) this.setDestination(e, REACHABLE);
      },
      destinationFailed: (err) => {
        if (current()) this.setDestination(e, { status: 'failing', reason: reasonOf(err) });
      },
      retryPolicy: session.reconnectPolicy,
      listening: (where) => {
        if (!current()) return;
        const before = boundOf(e.state);
        const moved = !before || formatEndpoint(before as Endpoint) !== formatEndpoint(where);
        this.setActive(e, where);
        // A first bind that waited for the session, or a port 0 forward the server moved.
        if (moved) this.published(e, where);
      },
      retrying: (err, attempt, nextAttemptAt) => {
        if (!current()) return;
        this.setState(e, { state: 'reconnecting', bound: boundOf(e.state), reason: reasonOf(err), attempt, nextAttemptAt });
      },
    };
  }

  /**
   * Starts a forward: binds its listener (so a busy port fails before any
   * connection is made), brings its session up, and reports where it listens.
   * On failure nothing is left running and the forward is 'failed' with the reason.
   */
  start(id: string): Promise<ForwardInfo> {
    const e = this.entry(id);
    if (e.runtime) return Promise.resolve(this.info(e));
    e.starting ??= this.startEntry(e).finally(() => (e.starting = undefined));
    return e.starting;
  }

  private async startEntry(e: Entry): Promise<ForwardInfo> {
    const generation = ++e.generation;
    e.stats = emptyStats();
    e.destination = UNTRIED;
    e.checkWhenActive = e.spec.healthCheckAtStart;
    this.setState(e, { state: 'connecting' });
    this.log(
      e,
      'info',
      `Starting ${e.spec.kind} forward ${formatEndpoint(e.spec.listen)}${e.spec.target ? ` -> ${formatEndpoint(e.spec.target)}` : ''} via ${e.host.alias}.`,
    );
    const session = this.acquireSession(e);
    const runtime = runtimeFactories[e.spec.kind](e.spec, this.context(e, session));
    e.startingWith = { runtime, session };
    // Undefined for a remote forward whose session is reconnecting: it binds once the session is back.
    let bound: Endpoint | undefined;
    try {
      if (e.spec.kind !== 'remote') bound = await runtime.start();
      await session.start();
      if (e.spec.kind === 'remote') bound = await runtime.start();
      if (generation !== e.generation) throw new BurrowError('SSH_DISCONNECTED', 'Stopped while starting.');
    } catch (err) {
      if (e.startingWith?.runtime === runtime) e.startingWith = undefined;
      await runtime.stop().catch(() => undefined);
      this.releaseSession(e, session);
      const be = this.selfConflict(e, isBurrowError(err) ? err : new BurrowError('INTERNAL', (err as Error).message));
      if (generation === e.generation) {
        this.log(e, 'error', be.message, be.code);
        this.setState(e, { state: 'failed', reason: reasonOf(be) });
      }
      throw be;
    }
    e.startingWith = undefined;
    e.runtime = runtime;
    e.session = session;
    const s = session.status;
    if (bound === undefined) {
      // A remote forward waiting for its session: it publishes where it listens once it does.
      this.setState(e, { state: 'reconnecting', reason: s.reason, attempt: s.attempt, nextAttemptAt: s.nextAttemptAt });
      this.log(
        e,
        'info',
        `The session to ${session.label} is reconnecting: the server will be asked to listen on ${formatEndpoint(e.spec.listen)} once it is back.`,
      );
      if (session.client) runtime.sessionUp?.();
      return this.info(e);
    }
    if (s.status === 'reconnecting') {
      this.setState(e, { state: 'reconnecting', bound, reason: s.reason, attempt: s.attempt, nextAttemptAt: s.nextAttemptAt });
    } else {
      this.setActive(e, bound);
    }
    this.published(e, bound);
    return this.info(e);
  }

  /** A port in use by another forward of this engine: name it (the OS would name this very process). */
  private selfConflict(e: Entry, err: BurrowError): BurrowError {
    const at = e.spec.listen;
    if (err.code !== 'PORT_IN_USE' || isUnix(at)) return err;
    const other = [...this.forwards.values()].find((o) => o !== e && o.runtime && portOf(o.state) === at.port);
    if (!other) return err;
    return new BurrowError(
      'PORT_IN_USE',
      `Local port ${at.port} is already used by forward '${other.id}' of this same Burrow process: both are set to listen on it. Give one of them another port.`,
    );
  }

  private async teardown(e: Entry) {
    const { runtime, session } = e.runtime ? e : (e.startingWith ?? {});
    e.runtime = undefined;
    e.session = undefined;
    e.startingWith = undefined;
    if (runtime) await runtime.stop().catch(() => undefined);
    if (session) this.releaseSession(e, session);
  }

  /** Stops a forward. A stopped forward is never restarted by reconnects. */
  async stop(id: string): Promise<void> {
    const e = this.entry(id);
    e.generation++;
    const wasRunning = !!e.runtime || e.state.state === 'connecting';
    await this.teardown(e);
    if (e.state.state !== 'stopped') {
      if (wasRunning) this.log(e, 'info', 'Stopped.');
      this.setState(e, { state: 'stopped' });
    }
  }

  async restart(id: string): Promise<ForwardInfo> {
    await this.stop(id);
    return this.start(id);
  }

  /** Reconnect every session now: on resume from sleep and when the network changes. */
  reconnectAll(): void {
    for (const { session } of this.sessions.values()) session.reconnectNow();
  }

  /**
   * "Retry now": a forward that is reconnecting tries at once; an active one
   * whose destination failed (or was never tried) checks it again, so the
   * state says whether it is reachable now.
   */
  async retryNow(id: string): Promise<HealthResult | undefined> {
    const e = this.entry(id);
    if (e.state.state === 'active' && e.state.destination.status !== 'reachable') return this.healthCheck(id);
    e.session?.reconnectNow();
    e.runtime?.retryNow?.();
    return undefined;
  }

  /**
   * Measures a running forward and reports the round trip, and what was measured:
   * -L opens a channel to its destination, -R connects to its destination from
   * this machine, -D (no fixed destination) times one SSH keepalive answered by
   * the server, which holds however the server's port is mapped.
   */
  async healthCheck(id: string): Promise<HealthResult> {
    const e = this.entry(id);
    const generation = e.generation;
    const result = await this.measure(e);
    // What it learnt of the destination shows in the state, as a connection's outcome does.
    if (e.generation === generation && result.measured === 'destination') {
      if (result.ok) this.setDestination(e, REACHABLE);
      else if (result.error && ERROR_INFO[result.error.code].stage === 'destination') this.setDestination(e, { status: 'failing', reason: result.error });
    }
    return result;
  }

  private async measure(e: Entry): Promise<HealthResult> {
    const id = e.id;
    const t0 = performance.now();
    const timeoutMs = this.channelTimeoutMs ?? e.host.connectTimeout * 1000;
    let measured: NonNullable<HealthResult['measured']> = 'destination';
    let what = '';
    try {
      if (!e.session || !e.runtime) throw new BurrowError('SSH_DISCONNECTED', `Forward '${id}' is not running; start it first.`);
      const target = e.spec.target;
      if (e.spec.kind === 'remote' && target) {
        what = `TCP connect to ${formatEndpoint(target)} from this machine`;
        await new Promise<void>((resolve, reject) => {
          const sock = isUnix(target) ? net.connect(target.path) : net.connect(target.port, target.host);
          sock.setTimeout(timeoutMs, () => sock.destroy(new Error('timed out')));
          sock.once('connect', () => {
            sock.destroy();
            resolve();
          });
          sock.once('error', (err) => reject(new BurrowError('DEST_REFUSED', `${formatEndpoint(target)} is not reachable from this machine: ${err.message}.`)));
        });
      } else if (target) {
        what = `channel to ${formatEndpoint(target)} through ${e.session.label}`;
        await e.session.whenUp(this.connectionWaitMs);
        const ch = await e.session.openChannel(target, { host: '127.0.0.1', port: 0 }, timeoutMs);
        ch.on('error', () => undefined);
        ch.destroy();
      } else {
        measured = 'session';
        what = `SSH session round trip to ${e.session.label} (keepalive; a SOCKS proxy has no fixed destination)`;
        await e.session.whenUp(this.connectionWaitMs);
        const rtt = await e.session.roundTrip(timeoutMs);
        const rttMs = Math.round(rtt * 10) / 10;
        this.log(e, 'info', `Health check: OK in ${rttMs} ms (${what}).`);
        return { ok: true, rttMs, measured, what };
      }
      const rttMs = Math.round((performance.now() - t0) * 10) / 10;
      this.log(e, 'info', `Health check: OK in ${rttMs} ms (${what}).`);
      return { ok: true, rttMs, measured, what };
    } catch (err) {
      const be = isBurrowError(err) ? err : new BurrowError('INTERNAL', (err as Error).message);
      this.log(e, 'warn', `Health check failed: ${be.message}`, be.code);
      return { ok: false, ...(what ? { measured, what } : {}), error: { code: be.code, message: be.message } };
    }
  }

  /** Stops every forward and closes every session. */
  async shutdown(): Promise<void> {
    await Promise.all([...this.forwards.keys()].map((id) => this.stop(id)));
    for (const { session } of this.sessions.values()) session.close();
    this.sessions.clear();
  }
}
