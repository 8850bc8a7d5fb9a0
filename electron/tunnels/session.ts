// One SSH session per destination (host, port, user, jump chain), shared by every
// forward through it. Owns the ssh2 Clients (one per hop), keepalive, and
// reconnecting with backoff: a new Client for every attempt.
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { createHash } from 'node:crypto';
import ssh2, { type Client, type ClientChannel, type ConnectConfig } from 'ssh2';
import type { Duplex } from 'node:stream';
import { BurrowError, PERMANENT_CODES } from '../../shared/errors';
import { isUnix, type Endpoint } from '../../shared/forward-spec';
import { createAuth } from './auth';
import { createHostVerifier, sshAlgorithms } from './host-verifier';
import { coalesceWrites } from './write-coalescer';
import { channelOpenError, channelTimeoutError, sessionError } from './ssh-errors';
import type { ForwardReason, HostConfig, Prompter } from './types';

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

export const DEFAULT_RECONNECT: ReconnectPolicy = { baseDelayMs: 1000, maxDelayMs: 30_000, permanentFailureLimit: 3 };

export interface SessionOptions {
  prompter?: Prompter;
  reconnect?: Partial<ReconnectPolicy>;
  /** Log lines for this session (drops, reconnects). */
  log?: (level: 'info' | 'warn' | 'error', message: string, code?: BurrowError['code']) => void;
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
  const base = `${h.user}@${h.hostname}${h.port === 22 ? '' : `:${h.port}`}`;
  return h.alias && h.alias !== h.hostname ? `${h.alias} (${base})` : base;
}

/** Pausable timer for the handshake: time spent waiting for a person does not count. */
class PhaseTimer {
  private timer?: NodeJS.Timeout;
  private started = 0;
  constructor(private remaining: number, private fire: () => void) {
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
  private everUp = false;
  private incoming = new Map<string, IncomingHandler>();
  private waiters = new Set<{ resolve: (c: Client) => void; reject: (e: BurrowError) => void; timer: NodeJS.Timeout }>();

  constructor(readonly host: HostConfig, private opts: SessionOptions = {}) {
    super();
    this.key = sessionKey(host);
    this.label = hostLabel(host);
    this.policy = { ...DEFAULT_RECONNECT, ...opts.reconnect };
  }

  get status(): SessionStatusInfo {
    return this.statusInfo;
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
   * Connects (first time), or joins a connection in progress. Rejects with the
   * reason when the first connection fails; no retry is scheduled then.
   */
  start(): Promise<void> {
    const s = this.statusInfo.status;
    if (s === 'up' || s === 'reconnecting') return Promise.resolve();
    if (this.connecting) return this.connecting;
    this.setStatus({ status: 'connecting' });
    return this.connect((err) => {
      if (this.statusInfo.status !== 'closed') this.setStatus({ status: 'failed', reason: { code: err.code, message: err.message } });
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
    this.setStatus({ status: 'reconnecting', reason: { code: reason.code, message: reason.message }, attempt: this.attempt, nextAttemptAt });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.attemptReconnect(), delay);
  }

  private attemptReconnect() {
    this.retryTimer = undefined;
    if (this.statusInfo.status !== 'reconnecting' || this.connecting) return;
    void this.connect((err) => {
      if (this.statusInfo.status === 'closed') return;
      if (PERMANENT_CODES.has(err.code)) {
        this.permanentFailures++;
        if (this.permanentFailures >= this.policy.permanentFailureLimit) {
          this.log('error', `Giving up on ${this.label}: ${err.message}`, err.code);
          this.failWaiters(err);
          this.setStatus({ status: 'failed', reason: { code: err.code, message: err.message } });
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

  private probe() {
    const c = this.client;
    if (!c) return;
    const timer = setTimeout(() => {
      this.lastError = new BurrowError('SSH_TIMEOUT', `${this.label} did not answer after a network change.`);
      this.clients.forEach((x) => x.destroy());
    }, Math.max(2000, this.host.connectTimeout * 1000));
    try {
      // A global request the server answers with failure: any answer proves the link is alive.
      (c as unknown as { _protocol: { ping(): void } })._protocol.ping();
      (c as unknown as { _callbacks: Array<() => void> })._callbacks.push(() => clearTimeout(timer));
    } catch {
      clearTimeout(timer);
    }
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
    this.setStatus({ status: 'closed' });
    this.failWaiters(new BurrowError('SSH_DISCONNECTED', `The session to ${this.label} was closed.`));
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
        if (i > 0) {
          const prev = clients[i - 1];
          sock = await new Promise<Duplex>((resolve, reject) => {
            try {
              prev.forwardOut('127.0.0.1', 0, hop.hostname, hop.port, (err, ch) => {
                if (err) reject(channelOpenError(err, { host: hop.hostname, port: hop.port }, hostLabel(hops[i - 1])));
                else resolve(ch);
              });
            } catch (e) {
              reject(new BurrowError('SSH_DISCONNECTED', `The jump host ${hostLabel(hops[i - 1])} went away: ${(e as Error).message}`));
            }
          });
        }
        try {
          clients.push(await this.connectHop(hop, sock));
        } catch (e) {
          const err = e as BurrowError;
          if (i < hops.length - 1) {
            throw new BurrowError(err.code, `Jump host ${hostLabel(hop)}: ${err.message}`);
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

  private connectHop(hop: HostConfig, sock?: Duplex): Promise<Client> {
    return new Promise((resolve, reject) => {
      const client = new ssh2.Client();
      const label = hostLabel(hop);
      let settled = false;
      const timer = new PhaseTimer(hop.connectTimeout * 1000, () =>
        fail(new BurrowError('SSH_TIMEOUT', `Connecting to ${label} timed out after ${hop.connectTimeout} s (ConnectTimeout).`)),
      );
      const prompter: Prompter | undefined = this.opts.prompter && {
        hostKey: async (q) => {
          timer.pause();
          try {
            return await this.opts.prompter!.hostKey(q);
          } finally {
            timer.resume();
          }
        },
        secret: async (q) => {
          timer.pause();
          try {
            return await this.opts.prompter!.secret(q);
          } finally {
            timer.resume();
          }
        },
      };
      const hv = createHostVerifier(hop, prompter);
      const auth = createAuth(hop, prompter, hop.identityFiles.length === 0);
      const fail = (err: BurrowError) => {
        if (settled) return;
        settled = true;
        timer.clear();
        client.destroy();
        reject(err);
      };
      client.on('error', (err: Error & { level?: string }) => {
        if (!settled) {
          const refusal = hv.refusal();
          if (refusal) return fail(refusal);
          if (err.level === 'client-authentication') return fail(auth.failure());
          return fail(sessionError(err, label));
        }
        // After ready: remember why, 'close' follows and triggers the reconnect.
        this.lastError = sessionError(err, label);
      });
      client.on('close', () => {
        if (!settled) fail(hv.refusal() ?? new BurrowError('SSH_DISCONNECTED', `${label} closed the connection during the handshake.`));
      });
      client.on('ready', () => {
        if (settled) return;
        settled = true;
        timer.clear();
        client.setNoDelay(true);
        resolve(client);
      });
      // The first hop's TCP socket is ours, so that its writes can be coalesced.
      const transport = sock ?? coalesceWrites(net.connect({ host: hop.hostname, port: hop.port, noDelay: true }));
      const cfg: ConnectConfig = {
        host: hop.hostname,
        port: hop.port,
        username: hop.user,
        sock: transport as ConnectConfig['sock'],
        readyTimeout: 0,
        keepaliveInterval: hop.serverAliveInterval > 0 ? hop.serverAliveInterval * 1000 : 0,
        keepaliveCountMax: hop.serverAliveCountMax,
        hostVerifier: hv.verifier as unknown as ConnectConfig['hostVerifier'],
        authHandler: auth.handler as unknown as ConnectConfig['authHandler'],
        algorithms: sshAlgorithms(hop),
      };
      try {
        client.connect(cfg);
      } catch (e) {
        fail(new BurrowError('OPTION_INVALID', `Cannot connect to ${label}: ${(e as Error).message}.`));
      }
    });
  }
}
