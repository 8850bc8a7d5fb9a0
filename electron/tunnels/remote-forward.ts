// Remote forwards (-R): the server listens, and each connection it receives is
// carried back here and on to the target as seen from this machine.
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { BurrowError } from '../../shared/errors';
import { formatEndpoint, isLoopback, isUnix, type Endpoint, type ForwardSpec } from '../../shared/forward-spec';
import { bridge, countInto } from './pipe';
import { backoffDelay } from './session';
import type { ForwardContext, ForwardRuntime, LiveConnection } from './forward-runtime';

let nextConnectionId = 1;

export class RemoteForward implements ForwardRuntime {
  private bound?: Endpoint;
  /** Where it listened last (before a reconnect), to notice a port 0 forward moving. */
  private lastBound?: Endpoint;
  private stopped = false;
  private retryTimer?: NodeJS.Timeout;
  private attempt = 0;
  /** Bumped by every sessionUp and stop: an answer to an older request is stale. */
  private round = 0;
  private live = new Map<number, LiveConnection & { sock: net.Socket; ch: Duplex }>();

  constructor(
    private spec: ForwardSpec,
    private ctx: ForwardContext,
  ) {}

  /**
   * Asks the server to listen. While the session is reconnecting (a drop, or a
   * first connect being retried) it resolves undefined and asks once the session is
   * back (sessionUp), as local forwards wait for it.
   */
  async start(): Promise<Endpoint | undefined> {
    this.stopped = false;
    if (!this.ctx.session.client) return undefined;
    this.bound = this.lastBound = await this.request(false);
    return this.bound;
  }

  /** The session is (back) up: the server has forgotten the listener, ask again. */
  sessionUp(): void {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.bound = undefined;
    this.attempt = 0;
    void this.rebind(++this.round);
  }

  retryNow(): void {
    if (this.stopped || !this.retryTimer) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    void this.rebind(this.round);
  }

  /**
   * One request after a reconnect. A refusal (typically the port still held by the
   * server for the old connection, after sleep or a network change) is retried with
   * backoff while the session stays up; the forward says so meanwhile.
   */
  private async rebind(round: number): Promise<void> {
    this.retryTimer = undefined;
    const client = this.ctx.session.client;
    if (!client || this.stopped || round !== this.round) return; // down again: the next sessionUp asks
    let now: Endpoint;
    try {
      now = await this.request(!!this.lastBound);
    } catch (e) {
      // Stopped, or the session dropped meanwhile (its next sessionUp asks again).
      if (this.stopped || round !== this.round || this.ctx.session.client !== client) return;
      const err = e instanceof BurrowError ? e : new BurrowError('REMOTE_REFUSED', (e as Error).message);
      this.attempt++;
      const delay = backoffDelay(this.attempt, this.ctx.retryPolicy);
      const reason = new BurrowError(
        err.code,
        `${err.message} Retrying in ${Math.max(1, Math.round(delay / 1000))} s (attempt ${this.attempt}); the SSH session itself is up, and other forwards are not affected.`,
      );
      this.ctx.log('warn', reason.message, reason.code);
      this.ctx.retrying(reason, this.attempt, Date.now() + delay);
      this.retryTimer = setTimeout(() => void this.rebind(round), delay);
      return;
    }
    if (this.stopped || round !== this.round) {
      // Granted after the forward stopped (or for a connection since replaced): give it back.
      if (this.stopped) this.ctx.session.unlistenRemote(now);
      return;
    }
    const before = this.lastBound;
    this.bound = this.lastBound = now;
    this.attempt = 0;
    if (before && !isUnix(before) && !isUnix(now) && before.port !== now.port) {
      this.ctx.log('warn', `The server now listens on port ${now.port} (it was ${before.port}): a port 0 forward gets a new port after a reconnect.`);
    }
    this.ctx.listening(now);
  }

  private async request(again: boolean): Promise<Endpoint> {
    const { session } = this.ctx;
    const at = this.spec.listen;
    let b: Endpoint;
    try {
      b = await session.listenRemote(at, (info, accept, reject) => this.incoming(info, accept, reject));
    } catch (e) {
      throw e instanceof BurrowError ? e : await this.explainRefusal(at, again);
    }
    if (!isUnix(b) && b.host !== 'localhost' && !isLoopback(b.host)) {
      this.ctx.log(
        'info',
        `Asked the server to listen on ${formatEndpoint(b)}. Unless its sshd_config sets GatewayPorts yes or clientspecified, it listens on loopback only.`,
      );
    }
    return b;
  }

  /**
   * The server says only "no": find out why, through the session. A channel that
   * opens to the port proves it is taken. Whether a port-0 listen is granted tells
   * whether remote forwarding is allowed at all (AllowTcpForwarding local/no), so
   * the refusal is the port's own (in use, or privileged), even where local
   * forwarding channels are forbidden (AllowTcpForwarding remote) and the first
   * probe cannot tell.
   */
  private async explainRefusal(at: Endpoint, again: boolean): Promise<BurrowError> {
    const where = formatEndpoint(at);
    if (isUnix(at)) {
      return new BurrowError(
        'REMOTE_REFUSED',
        `The server refused to listen on the socket ${at.path}: the path may exist already (StreamLocalBindUnlink no), the directory is not writable, or its sshd_config sets AllowStreamLocalForwarding no.`,
      );
    }
    const inUse = (): BurrowError =>
      again
        ? new BurrowError(
            'REMOTE_REFUSED',
            `The server refused to listen on ${where} again after the reconnect: port ${at.port} is still in use on the server, probably by the previous connection, which the server has not yet noticed is gone (its ClientAliveInterval decides when), or by another program there.`,
          )
        : new BurrowError(
            'REMOTE_REFUSED',
            `The server could not listen on ${where}: port ${at.port} is already in use on the server. Choose another port, or 0 to let the server pick one.`,
          );
    let localForbidden = false;
    if (at.port !== 0) {
      const probeHost = at.host === '' || at.host === '0.0.0.0' || at.host === '*' ? '127.0.0.1' : at.host;
      try {
        const ch = await this.ctx.session.openChannel({ host: probeHost, port: at.port }, { host: '127.0.0.1', port: 0 }, 5000);
        ch.on('error', () => undefined);
        ch.destroy();
        return inUse();
      } catch (probe) {
        localForbidden = probe instanceof BurrowError && probe.code === 'DEST_PROHIBITED';
      }
    }
    const remoteAllowed = at.port !== 0 && (await this.portZeroGranted(at));
    if (remoteAllowed) {
      if (at.port < 1024)
        return new BurrowError(
          'REMOTE_REFUSED',
          `The server refused to listen on ${where}: port ${at.port} is in use on the server, or needs a root login there (ports below 1024). Choose a port of 1024 or above, or 0 to let the server pick one.`,
        );
      return inUse();
    }
    if (localForbidden) {
      return new BurrowError(
        'REMOTE_REFUSED',
        `The server refused to listen on ${where}: its /etc/ssh/sshd_config forbids forwarding (AllowTcpForwarding no). Its administrator can change that and restart sshd.`,
      );
    }
    const gw = at.host !== 'localhost' && !isLoopback(at.host) ? ' For a non-loopback address the server also needs GatewayPorts yes or clientspecified.' : '';
    return new BurrowError(
      'REMOTE_REFUSED',
      `The server refused to listen on ${where}. Its /etc/ssh/sshd_config may forbid remote forwarding (AllowTcpForwarding no or local, or a PermitListen rule).${gw}`,
    );
  }

  /** True when the server grants a listen on port 0 of the same address (then gives it back at once). */
  private async portZeroGranted(at: { host: string; port: number }): Promise<boolean> {
    try {
      const b = await this.ctx.session.listenRemote({ host: at.host, port: 0 }, (_info, _accept, reject) => reject());
      this.ctx.session.unlistenRemote(b);
      return true;
    } catch {
      return false;
    }
  }

  private incoming(info: { srcIP?: string; srcPort?: number }, accept: () => Duplex, reject: () => void) {
    const { ctx } = this;
    const target = this.spec.target!;
    const source = info.srcIP ? `${info.srcIP}:${info.srcPort} (on the server)` : 'a socket on the server';
    if (this.stopped) return reject();
    // Connect to the target first, as OpenSSH does: the server learns of a failure as a refused channel.
    const sock = isUnix(target)
      ? net.connect({ path: target.path, allowHalfOpen: true })
      : net.connect({ host: target.host, port: target.port, allowHalfOpen: true });
    sock.setTimeout(ctx.channelTimeoutMs, () => sock.destroy(new Error('timed out')));
    sock.once('error', (err: NodeJS.ErrnoException) => {
      reject();
      const refused = err.code === 'ECONNREFUSED' || err.code === 'ENOENT';
      const be = new BurrowError(
        refused ? 'DEST_REFUSED' : err.message === 'timed out' ? 'DEST_TIMEOUT' : 'DEST_FAILED',
        `Connection from ${source}: ${formatEndpoint(target)} ${refused ? 'refused the connection on this machine ("Connection refused"). Check that the service is running and the port is right.' : `could not be reached from this machine: ${err.message}.`}`,
      );
      ctx.destinationFailed(be);
      ctx.log('error', be.message, be.code);
    });
    sock.once('connect', () => {
      sock.removeAllListeners('error');
      sock.setTimeout(0);
      sock.setNoDelay(true);
      sock.on('error', (err) => ctx.log('warn', `Connection from ${source}: ${err.message}`));
      let ch: Duplex;
      try {
        ch = accept();
      } catch (e) {
        sock.destroy();
        ctx.log('warn', `Connection from ${source} could not be accepted: ${(e as Error).message}`);
        return;
      }
      ch.on('error', (err: Error) => ctx.log('warn', `Channel from ${source}: ${err.message}`));
      ctx.destinationOk();
      const id = nextConnectionId++;
      const conn = { id, source, openedAt: Date.now(), bytesIn: 0, bytesOut: 0, sock, ch };
      this.live.set(id, conn);
      ctx.stats.openConnections++;
      ctx.stats.totalConnections++;
      // The near side is the channel (the server's client); the far side is the target here.
      void bridge(ch, sock, countInto(conn, ctx.stats)).finally(() => {
        this.live.delete(id);
        ctx.stats.openConnections--;
      });
    });
  }

  connections(): LiveConnection[] {
    return [...this.live.values()].map(({ sock: _s, ch: _c, ...c }) => c);
  }

  closeConnection(id: number): boolean {
    const c = this.live.get(id);
    c?.sock.destroy();
    c?.ch.destroy();
    return !!c;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.round++;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (this.bound) this.ctx.session.unlistenRemote(this.bound);
    this.bound = undefined;
    for (const c of this.live.values()) {
      c.sock.destroy();
      c.ch.destroy();
    }
  }
}
