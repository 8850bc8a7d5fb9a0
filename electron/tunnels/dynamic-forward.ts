// Dynamic forwards (-D): a local SOCKS proxy. Each connection's destination comes
// from its SOCKS request; the reply carries the real outcome of opening the SSH
// channel (granted, or why not), so the client sees "refused" or "not allowed".
import type net from 'node:net';
import type { ForwardSpec } from '../../shared/forward-spec';
import type { ForwardContext } from './forward-runtime';
import { ListenerForward, type Acceptor } from './listener-forward';
import { readSocksRequest, REP, socks4Reply, socks5Reply, socks5Status, type SocksOptions } from './socks-protocol';

export const SOCKS_HANDSHAKE_TIMEOUT_MS = 30_000;

export function socksAcceptor(opts: SocksOptions, log: ForwardContext['log']): Acceptor {
  // The SOCKS version of each connection whose request was read, so the reply matches it.
  const versions = new WeakMap<net.Socket, 4 | 5>();
  return {
    async target(sock) {
      try {
        const req = await readSocksRequest(sock, opts);
        versions.set(sock, req.version);
        return req.target;
      } catch (e) {
        log('warn', `SOCKS connection from ${sock.remoteAddress}:${sock.remotePort} refused: ${(e as Error).message}`);
        throw e;
      }
    },
    opened(sock) {
      sock.write(versions.get(sock) === 4 ? socks4Reply(true) : socks5Reply(REP.SUCCEEDED));
    },
    failed(sock, err) {
      const v = versions.get(sock);
      // No version: the handshake itself failed and has already been answered.
      if (v === undefined || !sock.writable) return;
      sock.write(v === 4 ? socks4Reply(false) : socks5Reply(socks5Status(err.code, err.message)));
    },
  };
}

export function createDynamicForward(spec: ForwardSpec, ctx: ForwardContext): ListenerForward {
  const opts: SocksOptions = { auth: spec.socksAuth, timeoutMs: SOCKS_HANDSHAKE_TIMEOUT_MS };
  return new ListenerForward(spec, ctx, socksAcceptor(opts, ctx.log));
}
