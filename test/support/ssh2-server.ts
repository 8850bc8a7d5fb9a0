// An in-process ssh2 Server, for faults a real sshd cannot be made to produce.
import ssh2 from 'ssh2';
import type { Connection, AuthContext, ServerChannel } from 'ssh2';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { keygen } from './sshd';

export interface FakeServer {
  port: number;
  knownHosts: string;
  close(): Promise<void>;
}

export interface FakeServerOptions {
  /** Called for each authentication request; `conn` tells one client's requests from another's. */
  auth?: (ctx: AuthContext, conn: Connection) => void;
  /** Called for each direct-tcpip channel request; must accept, reject or ignore. */
  tcpip?: (info: { destIP: string; destPort: number }, accept: () => ServerChannel, reject: () => void, conn: Connection) => void;
}

export async function startFakeServer(opts: FakeServerOptions): Promise<FakeServer> {
  const dir = mkdtempSync(join(tmpdir(), 'burrow-fake-'));
  const hostKey = keygen(join(dir, 'host'));
  const clients = new Set<Connection>();
  const server = new ssh2.Server({ hostKeys: [readFileSync(hostKey)] }, (conn) => {
    clients.add(conn);
    conn.on('error', () => undefined);
    conn.on('close', () => clients.delete(conn));
    conn.on('authentication', (ctx) => (opts.auth ? opts.auth(ctx, conn) : ctx.accept()));
    conn.on('tcpip', (accept, reject, info) => opts.tcpip?.(info, accept, reject, conn));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const knownHosts = join(dir, 'known_hosts');
  writeFileSync(knownHosts, `[127.0.0.1]:${port} ${readFileSync(`${hostKey}.pub`, 'utf8').split(' ').slice(0, 2).join(' ')}\n`);
  return {
    port,
    knownHosts,
    close: () =>
      new Promise((r) => {
        clients.forEach((c) => c.end());
        server.close(() => r());
      }),
  };
}

/** A tcpip handler that connects each channel to its destination, as sshd does. */
export const connectTcpip: NonNullable<FakeServerOptions['tcpip']> = (info, accept) => {
  const ch = accept();
  const sock = net.connect(info.destPort, info.destIP);
  sock.on('error', () => ch.destroy());
  ch.on('error', () => sock.destroy());
  ch.pipe(sock).pipe(ch);
};
