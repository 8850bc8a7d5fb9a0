// Local listeners bind as OpenSSH does: "localhost" on both loopback addresses
// (127.0.0.1 and ::1), "*" or an empty bind address on every address of both
// families. Tested by connecting over 127.0.0.1 and ::1 only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { listen } from '../../../electron/tunnels/listener';
import { TunnelEngine } from '../../../electron/tunnels/engine';
import { parseForwardSpec } from '../../../shared/forward-spec';
import { cleanup, freePort, startSshd, type Sshd } from '../../support/sshd';
import { hostFor } from '../../support/hosts';
import { echoServer, roundTrip, type TestServer } from '../../support/tcp';
import { boundOf } from '../../../shared/tunnel-state';

/** Whether something accepts TCP connections on host:port. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Whether host:port is free to bind (exclusively). */
function free(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen({ host, port, exclusive: true, ipv6Only: host.includes(':') }, () => s.close(() => resolve(true)));
  });
}

const servers: net.Server[] = [];
function server(): { server: net.Server; seen: string[] } {
  const seen: string[] = [];
  const srv = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (sock) => {
    seen.push(sock.localAddress ?? '?');
    sock.destroy();
  });
  servers.push(srv);
  return { server: srv, seen };
}

const close = (s: net.Server) => new Promise<void>((resolve) => s.close(() => resolve()));

afterAll(async () => {
  await Promise.all(servers.filter((s) => s.listening).map(close));
});

describe('listen(): address families', () => {
  it('localhost listens on 127.0.0.1 and ::1, hands both to the one server, and frees both on close', async () => {
    const port = await freePort();
    const { server: srv, seen } = server();
    expect(await listen(srv, { host: 'localhost', port })).toEqual({ host: 'localhost', port });
    expect(await accepts('127.0.0.1', port)).toBe(true);
    expect(await accepts('::1', port)).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    expect(seen.sort()).toEqual(['127.0.0.1', '::1']);
    await close(srv);
    expect(await free('127.0.0.1', port)).toBe(true);
    expect(await free('::1', port)).toBe(true);
  });

  it('localhost with port 0 takes the same port on ::1 as on 127.0.0.1', async () => {
    const { server: srv } = server();
    const bound = (await listen(srv, { host: 'localhost', port: 0 })) as { port: number };
    expect(bound.port).toBeGreaterThan(0);
    expect(await accepts('127.0.0.1', bound.port)).toBe(true);
    expect(await accepts('::1', bound.port)).toBe(true);
    await close(srv);
  });

  it('* and an empty bind address listen on both families (reached here over 127.0.0.1 and ::1)', async () => {
    for (const host of ['*', '']) {
      const port = await freePort();
      const { server: srv } = server();
      expect(await listen(srv, { host, port })).toEqual({ host: '*', port });
      expect(await accepts('127.0.0.1', port)).toBe(true);
      expect(await accepts('::1', port)).toBe(true);
      await close(srv);
    }
  });

  it('an explicit address stays that address: 127.0.0.1 is not reached over ::1', async () => {
    const port = await freePort();
    const { server: srv } = server();
    await listen(srv, { host: '127.0.0.1', port });
    expect(await accepts('127.0.0.1', port)).toBe(true);
    expect(await accepts('::1', port)).toBe(false);
    await close(srv);
  });

  it('a port taken on 127.0.0.1 is still refused with PORT_IN_USE, and nothing stays bound on ::1', async () => {
    const port = await freePort();
    const { server: holder } = server();
    await listen(holder, { host: '127.0.0.1', port });
    const { server: srv } = server();
    await expect(listen(srv, { host: 'localhost', port })).rejects.toMatchObject({ code: 'PORT_IN_USE' });
    expect(await free('::1', port)).toBe(true);
    await close(holder);
  });

  it('-L *:port parses to the every-address bind, not 0.0.0.0 (IPv4 only)', () => {
    expect(parseForwardSpec('local', '*:1100:mail:110').listen).toEqual({ host: '', port: 1100 });
    expect(parseForwardSpec('dynamic', ':1080').listen).toEqual({ host: '', port: 1080 });
    expect(parseForwardSpec('local', '0.0.0.0:1100:mail:110').listen).toEqual({ host: '0.0.0.0', port: 1100 });
  });
});

describe('local forwards through sshd on both loopback families', () => {
  let sshd: Sshd;
  let echo: TestServer;
  const engine = new TunnelEngine();
  beforeAll(async () => {
    sshd = await startSshd();
    echo = await echoServer();
  });
  afterAll(async () => {
    await engine.shutdown();
    await echo.close();
    await cleanup(sshd);
  });

  it('-L localhost:PORT:... carries traffic arriving on 127.0.0.1 and on ::1', async () => {
    const port = await freePort();
    engine.add('lh', hostFor(sshd), parseForwardSpec('local', `localhost:${port}:127.0.0.1:${echo.port}`));
    await engine.start('lh');
    expect((await roundTrip(port, Buffer.from('over IPv4'), '127.0.0.1')).toString()).toBe('over IPv4');
    expect((await roundTrip(port, Buffer.from('over IPv6'), '::1')).toString()).toBe('over IPv6');
    expect(engine.stats().lh.totalConnections).toBe(2);
    await engine.stop('lh');
    expect(await free('127.0.0.1', port)).toBe(true);
    expect(await free('::1', port)).toBe(true);
  });

  it('-D *:PORT answers SOCKS on 127.0.0.1 and ::1', async () => {
    const port = await freePort();
    engine.add('socks', hostFor(sshd), parseForwardSpec('dynamic', `*:${port}`));
    expect(boundOf((await engine.start('socks')).state)).toEqual({ host: '*', port });
    for (const host of ['127.0.0.1', '::1']) {
      const reply = await new Promise<Buffer>((resolve, reject) => {
        const s = net.connect({ host, port }, () => s.write(Buffer.from([5, 1, 0])));
        s.once('data', (d) => {
          s.destroy();
          resolve(d);
        });
        s.once('error', reject);
      });
      expect([...reply]).toEqual([5, 0]);
    }
    await engine.stop('socks');
  });
});
