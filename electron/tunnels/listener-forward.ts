// Forwards that listen on this machine (-L, and -D through a SOCKS acceptor): a
// local server whose connections become SSH channels. The listener stays bound
// while the session reconnects; connections arriving then wait for it.
import net from 'node:net';
import type { ClientChannel } from 'ssh2';
import { BurrowError, ERROR_INFO, isBurrowError } from '../../shared/errors';
import { formatEndpoint, isUnix, type Endpoint, type ForwardSpec } from '../../shared/forward-spec';
import { listen } from './listener';
import { bridge, countInto } from './pipe';
import type { ForwardContext, ForwardRuntime, LiveConnection } from './forward-runtime';

/** Decides where one accepted connection goes. */
export interface Acceptor {
  /** The destination for this connection (SOCKS reads it from the client). */
  target(sock: net.Socket): Promise<Endpoint>;
  /** The channel is open: e.g. send the SOCKS success reply. */
  opened?(sock: net.Socket, ch: ClientChannel): void;
  /** The channel could not be opened: e.g. send the SOCKS failure reply. */
  failed?(sock: net.Socket, err: BurrowError): void;
}

export const fixedTarget = (target: Endpoint): Acceptor => ({ target: async () => target });

let nextConnectionId = 1;

export class ListenerForward implements ForwardRuntime {
  private server?: net.Server;
  private live = new Map<number, LiveConnection & { sock: net.Socket }>();

  constructor(
    private spec: ForwardSpec,
    private ctx: ForwardContext,
    private acceptor: Acceptor,
  ) {}

  async start(): Promise<Endpoint> {
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true }, (sock) => this.accept(sock));
    const bound = await listen(server, this.spec.listen);
    // Errors after listening (rare: e.g. EMFILE) must not take the process down.
    server.on('error', (err) => this.ctx.log('error', `Listener ${formatEndpoint(bound)} failed: ${err.message}`, 'BIND_FAILED'));
    this.server = server;
    return bound;
  }

  connections(): LiveConnection[] {
    return [...this.live.values()].map(({ sock: _s, ...c }) => c);
  }

  closeConnection(id: number): boolean {
    const c = this.live.get(id);
    c?.sock.destroy();
    return !!c;
  }

  private async accept(sock: net.Socket) {
    const { ctx } = this;
    const id = nextConnectionId++;
    const source = isUnix(this.spec.listen) ? 'unix socket' : `${sock.remoteAddress}:${sock.remotePort}`;
    const conn = { id, source, openedAt: Date.now(), bytesIn: 0, bytesOut: 0, sock };
    this.live.set(id, conn);
    ctx.stats.openConnections++;
    ctx.stats.totalConnections++;
    sock.setNoDelay(true);
    sock.on('error', (err) => ctx.log('warn', `Connection from ${source}: ${err.message}`));
    let ch: ClientChannel | undefined;
    try {
      const target = await this.acceptor.target(sock);
      await ctx.session.whenUp(ctx.connectionWaitMs);
      ch = await ctx.session.openChannel(target, { host: sock.remoteAddress ?? '127.0.0.1', port: sock.remotePort ?? 0 }, ctx.channelTimeoutMs);
      ch.on('error', (err: Error) => ctx.log('warn', `Channel to ${formatEndpoint(target)}: ${err.message}`));
      ctx.destinationOk();
      this.acceptor.opened?.(sock, ch);
      await bridge(sock, ch, countInto(conn, ctx.stats));
    } catch (e) {
      const err = isBurrowError(e) ? e : new BurrowError('INTERNAL', (e as Error).message);
      if (ERROR_INFO[err.code].stage === 'destination') ctx.destinationFailed(err);
      if (err.code !== 'VALIDATION') ctx.log('error', `Connection from ${source}: ${err.message}`, err.code);
      this.acceptor.failed?.(sock, err);
      sock.destroy();
      ch?.destroy();
    } finally {
      this.live.delete(id);
      ctx.stats.openConnections--;
    }
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const c of this.live.values()) c.sock.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
