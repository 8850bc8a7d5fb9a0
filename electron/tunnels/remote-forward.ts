// Remote forwards (-R): the server listens, and each connection it receives is
// carried back here and on to the target as seen from this machine.
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { BurrowError } from '../../shared/errors';
import { formatEndpoint, isLoopback, isUnix, type Endpoint, type ForwardSpec } from '../../shared/forward-spec';
import { bridge, countInto } from './pipe';
import type { ForwardContext, ForwardRuntime, LiveConnection } from './forward-runtime';

let nextConnectionId = 1;

export class RemoteForward implements ForwardRuntime {
  private bound?: Endpoint;
  private stopped = false;
  private live = new Map<number, LiveConnection & { sock: net.Socket; ch: Duplex }>();

  constructor(private spec: ForwardSpec, private ctx: ForwardContext) {}

  async start(): Promise<Endpoint> {
    this.stopped = false;
    return this.request();
  }

  /** After a reconnect the server has forgotten the listener: ask again. */
  async sessionUp(): Promise<void> {
    if (this.stopped) return;
    const before = this.bound;
    const now = await this.request();
    if (before && !isUnix(before) && !isUnix(now) && before.port !== now.port) {
      this.ctx.log('warn', `The server now listens on port ${now.port} (it was ${before.port}): a port 0 forward gets a new port after a reconnect.`);
    }
  }

  private async request(): Promise<Endpoint> {
    const { session } = this.ctx;
    const at = this.spec.listen;
    try {
      this.bound = await session.listenRemote(at, (info, accept, reject) => this.incoming(info, accept, reject));
    } catch (e) {
      throw e instanceof BurrowError ? e : await this.explainRefusal(at);
    }
    const b = this.bound;
    if (!isUnix(b) && b.host !== 'localhost' && !isLoopback(b.host)) {
      this.ctx.log('info', `Asked the server to listen on ${formatEndpoint(b)}. Unless its sshd_config sets GatewayPorts yes or clientspecified, it listens on loopback only.`);
    }
    return b;
  }

  /** The server says only "no": find out why, by looking at the port through the session. */
  private async explainRefusal(at: Endpoint): Promise<BurrowError> {
    const where = formatEndpoint(at);
    if (isUnix(at)) {
      return new BurrowError('REMOTE_REFUSED', `The server refused to listen on the socket ${at.path}: the path may exist already (StreamLocalBindUnlink no), the directory is not writable, or its sshd_config sets AllowStreamLocalForwarding no.`);
    }
    if (at.port !== 0) {
      const probeHost = at.host === '' || at.host === '0.0.0.0' || at.host === '*' ? '127.0.0.1' : at.host;
      try {
        const ch = await this.ctx.session.openChannel({ host: probeHost, port: at.port }, { host: '127.0.0.1', port: 0 }, 5000);
        ch.on('error', () => undefined);
        ch.destroy();
        return new BurrowError('REMOTE_REFUSED', `The server could not listen on ${where}: port ${at.port} is already in use on the server. Choose another port, or 0 to let the server pick one.`);
      } catch (probe) {
        if (probe instanceof BurrowError && probe.code === 'DEST_PROHIBITED') {
          return new BurrowError('REMOTE_REFUSED', `The server refused to listen on ${where}: its /etc/ssh/sshd_config forbids forwarding (AllowTcpForwarding no). Its administrator can change that and restart sshd.`);
        }
      }
    }
    const low = at.port > 0 && at.port < 1024 ? ' Ports below 1024 need a root login on the server.' : '';
    const gw = at.host !== 'localhost' && !isLoopback(at.host) ? ' For a non-loopback address the server also needs GatewayPorts yes or clientspecified.' : '';
    return new BurrowError('REMOTE_REFUSED', `The server refused to listen on ${where}. Its /etc/ssh/sshd_config may forbid remote forwarding (AllowTcpForwarding no or local).${low}${gw}`);
  }

  private incoming(info: { srcIP?: string; srcPort?: number }, accept: () => Duplex, reject: () => void) {
    const { ctx } = this;
    const target = this.spec.target!;
    const source = info.srcIP ? `${info.srcIP}:${info.srcPort} (on the server)` : 'a socket on the server';
    if (this.stopped) return reject();
    // Connect to the target first, as OpenSSH does: the server learns of a failure as a refused channel.
    const sock = isUnix(target) ? net.connect({ path: target.path, allowHalfOpen: true }) : net.connect({ host: target.host, port: target.port, allowHalfOpen: true });
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
    if (this.bound) this.ctx.session.unlistenRemote(this.bound);
    this.bound = undefined;
    for (const c of this.live.values()) {
      c.sock.destroy();
      c.ch.destroy();
    }
  }
}
