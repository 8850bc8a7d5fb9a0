// One SSH session per destination (host, port, user, jump chain), shared by every
// forward through it. Owns the ssh2 Clients (one per hop), keepalive, and
// reconnecting with backoff: a new Client for every attempt.
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import ssh2, { type Client, type ClientChannel, type ConnectConfig } from 'ssh2';
import type { Duplex } from 'node:stream';
import { BurrowError, PERMANENT_CODES } from '../../shared/errors';
import { isUnix, type Endpoint } from '../../shared/forward-spec';
import { createAuth, type AuthMemo } from './auth';
import { createHostVerifier, sshAlgorithms } from './host-verifier';
import { coalesceWrites } from './write-coalescer';
import { largeReads } from './large-reads';
import { acknowledgePromptly } from './ack-nudge';
import { channelOpenError, channelTimeoutError, sessionError } from './ssh-errors';
import type { ForwardReason, HostConfig, Prompter } from './types';
import { reasonOf } from '../../shared/tunnel-state';

/** An incoming channel from a remote forward: accept it or reject it, always one of the two. */
export type IncomingHandler = (info: { srcIP?: string; srcPort?: number }, accept: () => Duplex, reject: () => void) => void;

export type SessionStatus = 'idle' | 'connecting' | 'up' | 'reconnecting' | 'failed' | 'closed';

export interface SessionStatusInfo {
  status: SessionStatus;
  reason?: ForwardReason;
  attempt?: number;
  nextAttemptAt?: number;
}

export interface ReconnectPolicy {
  /** First delay, ms. */
  baseDelayMs: number;
  /** Longest delay, ms. */
  maxDelayMs: number;
  /** Attempts in a row that may fail with an error that will not heal before giving up. */
  permanentFailureLimit: number;
}

/** The longest a probe after sleep or a network change waits for an answer (s). */
const PROBE_MAX_S = 5;

export const DEFAULT_RECONNECT: ReconnectPolicy = { baseDelayMs: 1000, maxDelayMs: 30_000, permanentFailureLimit: 3 };

export interface SessionOptions {
  prompter?: Prompter;
  /** The stored password of a saved host (HostConfig.savedPassword); null when none is stored. */
  savedPassword?: (host: string) => Promise<string | null>;
  /** The forwards using this session, named in the questions it asks. */
  forwards?: () => string[];
  reconnect?: Partial<ReconnectPolicy>;
  /**
   * When the very first connection fails with an error that may heal (refused,
   * timed out, name not resolved, network unreachable), go on retrying with the
   * usual backoff instead of failing. Errors that will not heal still fail at once.
   */
  retryFirstConnect?: boolean;
  /** Log lines for this session (drops, reconnects). */
  log?: (level: 'info' | 'warn' | 'error', message: string, code?: BurrowError['code']) => void;
}

// Errors that may heal by themselves (the network or the server is not there yet).
// Kept beside the error rather than in it: the error's code and message stay as they are.
const transientErrors = new WeakSet<Error>();

function transient<E extends Error>(err: E): E {
  transientErrors.add(err);
  return err;
}

/** True for a connection error that may heal by retrying: refused, timed out, unresolved, unreachable, reset. */
export function isTransient(err: Error): boolean {
  return transientErrors.has(err);
}

/** A socket-level failure or a timeout from ssh2 (as opposed to a protocol, algorithm or login failure). */
function isNetworkError(err: Error & { level?: string; code?: unknown }): boolean {
  return (
    err.level === 'client-socket' ||
    err.level === 'client-timeout' ||
    (typeof err.code === 'string' && /^E[A-Z_]+$/.test(err.code)) ||
    /Connection lost before handshake/i.test(err.message)
  );
}

/** Exponential backoff with jitter: the delay before attempt n (1-based). */
export function backoffDelay(attempt: number, policy: ReconnectPolicy, random = Math.random): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + (random() * exp) / 2);
}

/**
 * Forwards share a session only when everything that decides how it is made is
 * the same: the hops, and also keys, known_hosts and checking policy, so that a
 * stricter host is never served by a session verified under laxer settings.
 */
/** Acknowledges the server's packets at once when nothing else answers them (ack-nudge.ts). */
function acknowledgeServer(client: Client, transport: Duplex): void {
  // ssh2 has no public way to send SSH_MSG_IGNORE; patches/ssh2+1.17.0.patch adds Protocol#ignore.
  const protocol = (client as unknown as { _protocol?: { ignore?: () => void } })._protocol;
  if (typeof protocol?.ignore !== 'function') return;
  acknowledgePromptly(transport, () => protocol.ignore!());
}

export function sessionKey(h: HostConfig): string {
  const hop = (x: HostConfig) => `${x.user}@${x.hostname}:${x.port}`;
  const { alias: _alias, jump, ...settings } = h;
  const fingerprint = createHash('sha256')
    .update(JSON.stringify([settings, jump.map(({ alias: _a, ...j }) => j)]))
    .digest('hex')
    .slice(0, 12);
  return `${[...h.jump.map(hop), hop(h)].join(' > ')} #${fingerprint}`;
}

export function hostLabel(h: HostConfig): string {
  const base = `${h.user}@${h.port !== 22 && h.hostname.includes(':') ? `[${h.hostname}]` : h.hostname}${h.port === 22 ? '' : `:${h.port}`}`;
  return h.alias && h.alias !== h.hostname ? `${h.alias} (${base})` : base;
}

/** Pausable timer for the handshake: time spent waiting for a person does not count. */
class PhaseTimer {
  private timer?: NodeJS.Timeout;
  private started = 0;
  constructor(
    private remaining: number,
    private fire: () => void,
  ) {
    this.resume();
  }
  pause() {
    if (!this.timer) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.remaining -= Date.now() - this.started;
  }
  resume() {
    if (this.timer || this.remaining === Infinity) return;
    this.started = Date.now();
    this.timer = setTimeout(this.fire, Math.max(0, this.remaining));
  }
  clear() {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.remaining = Infinity;
  }
}

export class SshSession extends EventEmitter {
  readonly key: string;
  readonly label: string;
  private clients: Client[] = [];
  private statusInfo: SessionStatusInfo = { status: 'idle' };
  private policy: ReconnectPolicy;
  private attempt = 0;
  private permanentFailures = 0;
  private retryTimer?: NodeJS.Timeout;
  private connecting?: Promise<void>;
  /** Hops being connected right now: close() ends them at once instead of letting them run to ConnectTimeout. */
  private readonly handshakes = new Set<(err: BurrowError) => void>();
  private everUp = false;
  private incoming = new Map<string, IncomingHandler>();
  /** Milliseconds spent waiting for a person to answer a question (host key, password, passphrase), summed. */
  promptWaitMs = 0;
  /** What people answered (decrypted keys, passwords), per hop, for unattended reconnects. Memory only. */
  private authMemos = new Map<string, AuthMemo>();
  private waiters = new Set<{ resolve: (c: Client) => void; reject: (e: BurrowError) => void; timer: NodeJS.Timeout }>();

  constructor(
    readonly host: HostConfig,
    private opts: SessionOptions = {},
  ) {
    super();
    this.key = sessionKey(host);
    this.label = hostLabel(host);
    this.policy = { ...DEFAULT_RECONNECT, ...opts.reconnect };
  }

  get status(): SessionStatusInfo {
    return this.statusInfo;
  }

  /** The backoff this session uses; remote forwards retry a refused listener with it. */
  get reconnectPolicy(): ReconnectPolicy {
    return this.policy;
  }

  /** The Client of the final hop while the session is up. */
  get client(): Client | undefined {
    return this.statusInfo.status === 'up' ? this.clients[this.clients.length - 1] : undefined;
  }

  private setStatus(info: SessionStatusInfo) {
    this.statusInfo = info;
    this.emit('status', info);
  }

  private log(level: 'info' | 'warn' | 'error', message: string, code?: BurrowError['code']) {
    this.opts.log?.(level, message, code);
  }

  /**
   * Connects (first time), or joins a connection in progress. When the first
   * connection fails: with retryFirstConnect and an error that may heal, resolves
   * with the session 'reconnecting' (backoff and countdown as after a drop);
   * otherwise rejects with the reason and schedules no retry.
   */
  start(): Promise<void> {
    const s = this.statusInfo.status;
    if (s === 'up' || s === 'reconnecting') return Promise.resolve();
    if (this.connecting) return this.connecting;
    this.setStatus({ status: 'connecting' });
    return this.connect((err) => {
      if (this.statusInfo.status === 'closed') throw err;
      if (this.opts.retryFirstConnect && isTransient(err)) {
        this.scheduleReconnect(err);
        const { nextAttemptAt } = this.statusInfo;
        const secs = Math.max(1, Math.round(((nextAttemptAt ?? Date.now()) - Date.now()) / 1000));
        this.log('warn', `${err.message} Retrying in ${secs} s, and again with growing pauses until it answers; stop the forward to give up.`, err.code);
        return;
      }
      this.setStatus({ status: 'failed', reason: reasonOf(err) });
      throw err;
    });
  }

  /** One connection attempt (a new Client per hop); `failed` decides what a failure means. */
  private connect(failed: (err: BurrowError) => void): Promise<void> {
    this.connecting = this.connectChain().then(
      (clients) => {
        this.connecting = undefined;
        this.onUp(clients);
      },
      (err: BurrowError) => {
        this.connecting = undefined;
        return failed(err);
      },
    );
    return this.connecting;
  }

  private onUp(clients: Client[]) {
    if (this.statusInfo.status === 'closed') {
      clients.reverse().forEach((c) => c.end());
      return;
    }
    this.clients = clients;
    const wasReconnect = this.everUp;
    this.everUp = true;
    this.attempt = 0;
    this.permanentFailures = 0;
    for (const c of clients) {
      // Any hop closing takes the whole chain down.
      c.once('close', () => this.onDrop(c));
    }
    const last = clients[clients.length - 1];
    // Remote forwards: ssh2 passes on only channels for addresses we asked for;
    // each one goes to the forward bound on exactly that address and port, or is rejected.
    last.on('tcp connection', (info, accept, reject) => {
      const h = this.incoming.get(`tcp:${info.destIP}:${info.destPort}`);
      if (h) h(info, accept, reject);
      else reject();
    });
    last.on('unix connection', (info, accept, reject) => {
      const h = this.incoming.get(`unix:${info.socketPath}`);
      if (h) h({}, accept, reject);
      else reject();
    });
    this.setStatus({ status: 'up' });
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.resolve(last);
    }
    this.waiters.clear();
    if (wasReconnect) this.log('info', `Reconnected to ${this.label}.`);
    this.emit('up', last);
  }

  private onDrop(which: Client) {
    if (!this.clients.includes(which)) return;
    const clients = this.clients;
    this.clients = [];
    // The server forgot every remote listener with the connection: forwards ask again when it is back.
    this.incoming.clear();
    // Tear down inside-out: the final hop first, then the jump hosts.
    for (const c of [...clients].reverse()) c.end();
    if (this.statusInfo.status === 'closed') return;
    const reason = this.lastError ?? new BurrowError('SSH_DISCONNECTED', `The connection to ${this.label} was lost.`);
    this.lastError = undefined;
    this.log('warn', `${reason.message} Reconnecting.`, reason.code);
    this.emit('down', reason);
    this.scheduleReconnect(reason);
  }

  private lastError?: BurrowError;

  private scheduleReconnect(reason: BurrowError) {
    if (this.statusInfo.status === 'closed') return;
    this.attempt++;
    const delay = backoffDelay(this.attempt, this.policy);
    const nextAttemptAt = Date.now() + delay;
    this.setStatus({ status: 'reconnecting', reason: reasonOf(reason), attempt: this.attempt, nextAttemptAt });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.attemptReconnect(), delay);
  }

  private attemptReconnect() {
    this.retryTimer = undefined;
    if (this.statusInfo.status !== 'reconnecting' || this.connecting) return;
    // The attempt is under way: no countdown any more (it may take up to ConnectTimeout).
    this.setStatus({ status: 'reconnecting', reason: this.statusInfo.reason, attempt: this.attempt });
    void this.connect((err) => {
      if (this.statusInfo.status === 'closed') return;
      if (!this.everUp && !isTransient(err)) {
        // Still the first connection (retried after e.g. "connection refused"): now the
        // server answers, and its answer will not change by asking again.
        this.log('error', `Giving up on ${this.label}: ${err.message}`, err.code);
        this.failWaiters(err);
        this.setStatus({ status: 'failed', reason: reasonOf(err) });
        return;
      }
      if (PERMANENT_CODES.has(err.code)) {
        this.permanentFailures++;
        if (this.permanentFailures >= this.policy.permanentFailureLimit) {
          this.log('error', `Giving up on ${this.label}: ${err.message}`, err.code);
          this.failWaiters(err);
          this.setStatus({ status: 'failed', reason: reasonOf(err) });
          return;
        }
      }
      this.log('warn', `Reconnect attempt ${this.attempt} to ${this.label} failed: ${err.message}`, err.code);
      this.scheduleReconnect(err);
    });
  }

  /** Skips the wait before the next attempt ("retry now", resume from sleep). */
  reconnectNow() {
    const s = this.statusInfo.status;
    if (s === 'reconnecting' && !this.connecting) {
      clearTimeout(this.retryTimer);
      this.attemptReconnect();
    } else if (s === 'up') {
      // After sleep or a network change the socket may be dead without anyone knowing: probe it.
      this.probe();
    } else if (s === 'failed' && this.everUp) {
      this.permanentFailures = 0;
      this.setStatus({ status: 'reconnecting', reason: this.statusInfo.reason, attempt: this.attempt, nextAttemptAt: Date.now() });
      this.attemptReconnect();
    }
  }

  /**
   * Sends one keepalive and waits a short while for any answer. After sleep the
   * socket may look open while nobody is at the other end, and keepalive would take
   * interval x count to notice: an unanswered probe drops the session now, and it
   * reconnects at once. Short, but bounded below, so that a slow link is not cut.
   */
  private probe() {
    if (!this.client) return;
    const clients = this.clients;
    const waitMs = Math.max(2000, Math.min(this.host.connectTimeout, PROBE_MAX_S) * 1000);
    this.roundTrip(waitMs).catch((err: BurrowError) => {
      // Only an unanswered probe on the connection that was probed (it may have been replaced meanwhile).
      if (err.code !== 'SSH_TIMEOUT' || this.clients !== clients || this.statusInfo.status !== 'up') return;
      this.lastError = new BurrowError(
        'SSH_TIMEOUT',
        `${this.label} did not answer within ${Math.round(waitMs / 1000)} s after sleep or a network change; reconnecting.`,
      );
      for (const x of [...clients].reverse()) x.destroy();
    });
  }

  /**
   * The session's round trip: sends one keepalive@openssh.com global request and
   * resolves with the milliseconds until the server answers (any answer, success
   * or failure, proves the link and the server alive). Rejects with SSH_TIMEOUT when
   * there is no answer within timeoutMs, SSH_DISCONNECTED when the session is not up.
   */
  roundTrip(timeoutMs: number): Promise<number> {
    const c = this.client;
    if (!c) return Promise.reject(new BurrowError('SSH_DISCONNECTED', `The session to ${this.label} is not up.`));
    const internals = c as unknown as { _protocol?: { ping?: () => void }; _callbacks?: Array<(err?: unknown) => void> };
    // ssh2 has no public ping: its keepalive sends keepalive@openssh.com through these two.
    if (typeof internals._protocol?.ping !== 'function' || !Array.isArray(internals._callbacks)) {
      return Promise.reject(new BurrowError('INTERNAL', 'This ssh2 version offers no keepalive request to measure the round trip with.'));
    }
    const { _protocol: protocol, _callbacks: callbacks } = internals as Required<typeof internals>;
    return new Promise((resolve, reject) => {
      const t0 = performance.now();
      const timer = setTimeout(
        () => reject(new BurrowError('SSH_TIMEOUT', `${this.label} did not answer a keepalive within ${Math.round(timeoutMs / 100) / 10} s.`)),
        timeoutMs,
      );
      try {
        // Replies come in request order, so the callback must follow the ping at once.
        protocol.ping!();
        callbacks.push((answer) => {
          clearTimeout(timer);
          // ssh2 calls waiting callbacks with an Error when the connection closes; true/false is the server's answer.
          if (answer instanceof Error) reject(new BurrowError('SSH_DISCONNECTED', `The connection to ${this.label} closed before it answered.`));
          else resolve(performance.now() - t0);
        });
      } catch (e) {
        clearTimeout(timer);
        reject(new BurrowError('SSH_DISCONNECTED', `The connection to ${this.label} is gone (${(e as Error).message}).`));
      }
    });
  }

  /** Waits (up to timeoutMs) for the session to be up, e.g. while reconnecting. */
  whenUp(timeoutMs: number): Promise<Client> {
    const c = this.client;
    if (c) return Promise.resolve(c);
    const s = this.statusInfo.status;
    if (s === 'failed' || s === 'closed' || s === 'idle') {
      return Promise.reject(new BurrowError('SSH_DISCONNECTED', `The session to ${this.label} is ${s}.`));
    }
    return new Promise((resolve, reject) => {
      const w = {
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(w);
          reject(new BurrowError('SSH_DISCONNECTED', `${this.label} did not come back within ${Math.round(timeoutMs / 1000)} s.`));
        }, timeoutMs),
      };
      this.waiters.add(w);
    });
  }

  private failWaiters(err: BurrowError) {
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.reject(err);
    }
    this.waiters.clear();
  }

  /** Opens a channel to target through the server, with a timeout. */
  openChannel(target: Endpoint, origin: { host: string; port: number }, timeoutMs: number): Promise<ClientChannel> {
    const c = this.client;
    if (!c) return Promise.reject(new BurrowError('SSH_DISCONNECTED', `The session to ${this.label} is not up.`));
    return new Promise((resolve, reject) => {
      let done = false;
      const timer = setTimeout(() => {
        done = true;
        reject(channelTimeoutError(target, this.label, timeoutMs));
      }, timeoutMs);
      const cb = (err: Error | undefined, ch: ClientChannel) => {
        if (done) {
          ch?.destroy();
          return;
        }
        done = true;
        clearTimeout(timer);
        if (err) reject(channelOpenError(err, target, this.label));
        else resolve(ch);
      };
      try {
        if (isUnix(target)) c.openssh_forwardOutStreamLocal(target.path, cb);
        else c.forwardOut(origin.host || '127.0.0.1', origin.port || 0, target.host, target.port, cb);
      } catch (e) {
        // forwardOut throws synchronously when the connection is already gone.
        done = true;
        clearTimeout(timer);
        reject(new BurrowError('SSH_DISCONNECTED', `The connection to ${this.label} is gone (${(e as Error).message}).`));
      }
    });
  }

  /**
   * Asks the server to listen (remote forward). Resolves with where it listens
   * (a port 0 becomes the server's choice); rejects with the server's refusal.
   */
  listenRemote(at: Endpoint, handler: IncomingHandler): Promise<Endpoint> {
    const c = this.client;
    if (!c) return Promise.reject(new BurrowError('SSH_DISCONNECTED', `The session to ${this.label} is not up.`));
    return new Promise((resolve, reject) => {
      try {
        if (isUnix(at)) {
          c.openssh_forwardInStreamLocal(at.path, (err) => {
            if (err) return reject(err);
            this.incoming.set(`unix:${at.path}`, handler);
            resolve(at);
          });
        } else {
          c.forwardIn(at.host, at.port, (err, port) => {
            if (err) return reject(err);
            this.incoming.set(`tcp:${at.host}:${port}`, handler);
            resolve({ host: at.host, port });
          });
        }
      } catch (e) {
        reject(new BurrowError('SSH_DISCONNECTED', `The connection to ${this.label} is gone (${(e as Error).message}).`));
      }
    });
  }

  /** Stops a remote listener (best effort: the session may already be gone). */
  unlistenRemote(at: Endpoint): void {
    const key = isUnix(at) ? `unix:${at.path}` : `tcp:${at.host}:${at.port}`;
    this.incoming.delete(key);
    const c = this.client;
    if (!c) return;
    try {
      if (isUnix(at)) c.openssh_unforwardInStreamLocal(at.path, () => undefined);
      else c.unforwardIn(at.host, at.port, () => undefined);
    } catch {
      /* connection already gone: the server dropped the listener with it */
    }
  }

  close() {
    if (this.statusInfo.status === 'closed') return;
    clearTimeout(this.retryTimer);
    // Forget what people answered: the next start asks again.
    for (const m of this.authMemos.values()) {
      m.keys.clear();
      m.password = undefined;
    }
    this.authMemos.clear();
    this.setStatus({ status: 'closed' });
    const closed = new BurrowError('SSH_DISCONNECTED', `The session to ${this.label} was closed.`);
    for (const abort of [...this.handshakes]) abort(closed);
    this.failWaiters(closed);
    const clients = this.clients;
    this.clients = [];
    for (const c of [...clients].reverse()) c.end();
    this.removeAllListeners('up');
  }

  private async connectChain(): Promise<Client[]> {
    const hops = [...this.host.jump, this.host];
    const clients: Client[] = [];
    try {
      let sock: Duplex | undefined;
      for (let i = 0; i < hops.length; i++) {
        const hop = hops[i];
        if (i > 0) sock = await this.openHop(clients[i - 1], hops[i - 1], hop);
        try {
          clients.push(await this.connectHop(hop, sock, i));
        } catch (e) {
          const err = e as BurrowError;
          if (i < hops.length - 1) {
            const wrapped = new BurrowError(err.code, `Jump host ${hostLabel(hop)}: ${err.message}`);
            throw isTransient(err) ? transient(wrapped) : wrapped;
          }
          throw err;
        }
      }
      return clients;
    } catch (e) {
      for (const c of clients.reverse()) c.end();
      throw e;
    }
  }

  /**
   * Asks the jump host `via` for a channel to the next hop. ssh2 puts no timeout on
   * channel opens, and sshd answers only once its TCP connect is done: to a
   * firewalled address that is minutes. ConnectTimeout bounds it, as it bounds a direct connect.
   */
  private openHop(prev: Client, via: HostConfig, hop: HostConfig): Promise<Duplex> {
    const viaLabel = hostLabel(via);
    const target = `${hop.hostname}:${hop.port}`;
    return new Promise<Duplex>((resolve, reject) => {
      let done = false;
      const timer =
        hop.connectTimeout > 0
          ? setTimeout(() => {
              done = true;
              reject(
                transient(
                  new BurrowError(
                    'SSH_TIMEOUT',
                    `The jump host ${viaLabel} could not reach the next hop ${target} within ${hop.connectTimeout} s (ConnectTimeout). ${hop.hostname} may be down or firewalled from the jump host, or the address or port is wrong.`,
                  ),
                ),
              );
            }, hop.connectTimeout * 1000)
          : undefined;
      try {
        prev.forwardOut('127.0.0.1', 0, hop.hostname, hop.port, (err, ch) => {
          if (done) {
            // Answered after the timeout: nobody wants this channel any more.
            ch?.on('error', () => undefined);
            ch?.destroy();
            return;
          }
          done = true;
          clearTimeout(timer);
          if (err) {
            const e = channelOpenError(err, { host: hop.hostname, port: hop.port }, `The jump host ${viaLabel}`);
            // "Prohibited" is the bastion's configuration; refused or unreachable may heal.
            reject(e.code === 'DEST_PROHIBITED' ? e : transient(e));
          } else resolve(ch);
        });
      } catch (e) {
        done = true;
        clearTimeout(timer);
        reject(transient(new BurrowError('SSH_DISCONNECTED', `The jump host ${viaLabel} went away: ${(e as Error).message}`)));
      }
    });
  }

  private connectHop(hop: HostConfig, sock: Duplex | undefined, index: number): Promise<Client> {
    // Reads known_hosts (to order the host key algorithms): if that fails, nothing has been opened yet.
    const algorithms = sshAlgorithms(hop);
    return new Promise((resolve, reject) => {
      const client = new ssh2.Client();
      const label = hostLabel(hop);
      let settled = false;
      const timer = new PhaseTimer(hop.connectTimeout * 1000, () =>
        fail(
          transient(
            new BurrowError(
              'SSH_TIMEOUT',
              `Connecting to ${label} timed out after ${hop.connectTimeout} s (ConnectTimeout). Check that the host is up and reachable from this machine.`,
            ),
          ),
        ),
      );
      // Time spent waiting for a person's answer counts neither towards ConnectTimeout nor as connecting time.
      const waitingFor = async <T>(ask: () => Promise<T>): Promise<T> => {
        timer.pause();
        const t0 = performance.now();
        try {
          return await ask();
        } finally {
          this.promptWaitMs += performance.now() - t0;
          timer.resume();
        }
      };
      const asker = () => ({ host: hop.alias, forwards: this.opts.forwards?.() ?? [] });
      const prompter: Prompter | undefined = this.opts.prompter && {
        hostKey: (q) => waitingFor(() => this.opts.prompter!.hostKey(q, asker())),
        secret: (q) => waitingFor(() => this.opts.prompter!.secret(q, asker())),
      };
      const hv = createHostVerifier(hop, prompter);
      const memoKey = `${index}:${sessionKey({ ...hop, jump: [] })}`;
      let memo = this.authMemos.get(memoKey);
      if (!memo) this.authMemos.set(memoKey, (memo = { keys: new Map() }));
      const { savedPassword } = this.opts;
      const saved = hop.savedPassword !== undefined && savedPassword ? () => savedPassword(hop.savedPassword!) : undefined;
      const auth = createAuth(hop, prompter, hop.identityFiles.length === 0, memo, (m, code) => this.log('warn', m, code), saved);
      const fail = (err: BurrowError) => {
        if (settled) return;
        settled = true;
        this.handshakes.delete(fail);
        timer.clear();
        client.destroy();
        reject(err);
      };
      this.handshakes.add(fail);
      client.on('error', (err: Error & { level?: string }) => {
        if (!settled) {
          const refusal = hv.refusal();
          if (refusal) return fail(refusal);
          if (err.level === 'client-authentication') return fail(auth.failure());
          // The server hung up during the login (e.g. "Too many authentication failures"): say what was refused.
          if (auth.began() && typeof (err as { code?: unknown }).code === 'number') return fail(auth.failure(err.message));
          // The agent could not be reached or could not sign: ssh2 goes on with the next method.
          if (err.level === 'agent') return;
          const be = sessionError(err, label);
          return fail(isNetworkError(err) ? transient(be) : be);
        }
        // After ready: remember why, 'close' follows and triggers the reconnect.
        this.lastError = sessionError(err, label);
      });
      client.on('close', () => {
        if (!settled) fail(hv.refusal() ?? transient(new BurrowError('SSH_DISCONNECTED', `${label} closed the connection during the handshake.`)));
      });
      client.on('ready', () => {
        if (settled) return;
        settled = true;
        this.handshakes.delete(fail);
        timer.clear();
        client.setNoDelay(true);
        acknowledgeServer(client, transport);
        resolve(client);
      });
      // The first hop's TCP socket is ours, so that its writes can be coalesced and its reads made larger.
      const transport =
        sock ??
        coalesceWrites(
          net.connect({
            host: hop.hostname,
            port: hop.port,
            noDelay: true,
            onread: largeReads(),
            ...(hop.addressFamily ? { family: hop.addressFamily } : {}),
          }),
        );
      const cfg: ConnectConfig = {
        host: hop.hostname,
        port: hop.port,
        username: hop.user,
        sock: transport as ConnectConfig['sock'],
        readyTimeout: 0,
        keepaliveInterval: hop.serverAliveInterval > 0 ? hop.serverAliveInterval * 1000 : 0,
        // ssh2 counts as OpenSSH does: it sends up to CountMax unanswered keepalives and gives up at the next interval.
        keepaliveCountMax: hop.serverAliveCountMax,
        hostVerifier: hv.verifier as unknown as ConnectConfig['hostVerifier'],
        authHandler: auth.handler as unknown as ConnectConfig['authHandler'],
        algorithms,
      };
      try {
        client.connect(cfg);
      } catch (e) {
        fail(new BurrowError('OPTION_INVALID', `Cannot connect to ${label}: ${(e as Error).message}.`));
      }
    });
  }
}
