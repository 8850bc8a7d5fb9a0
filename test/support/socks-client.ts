// A hand-rolled SOCKS client for tests: it shows the exact reply bytes, which
// real clients (curl) turn into prose.
import net from 'node:net';

export type SocksAddress = { ipv4: string } | { ipv6: string } | { domain: string };

export interface SocksResult {
  /** SOCKS5: the REP byte; SOCKS4: the CD byte (0x5a granted, 0x5b rejected). */
  status: number;
  /** SOCKS5 only: the method the server chose (0xff: none acceptable). */
  method?: number;
  /** SOCKS5 only: the RFC 1929 status (0 = success). */
  authStatus?: number;
  /** The connection, positioned after the reply; destroyed unless status was success. */
  sock: net.Socket;
}

/** Reads exactly n bytes, or rejects if the server closes first. */
function reader(sock: net.Socket) {
  let buf = Buffer.alloc(0);
  let ended = false;
  let wake: (() => void) | undefined;
  sock.on('data', (d) => {
    buf = Buffer.concat([buf, d]);
    wake?.();
  });
  const onEnd = () => {
    ended = true;
    wake?.();
  };
  sock.on('end', onEnd);
  sock.on('close', onEnd);
  return {
    async read(n: number): Promise<Buffer> {
      while (buf.length < n) {
        if (ended) throw new Error(`the SOCKS server closed the connection (wanted ${n} bytes, had ${buf.length})`);
        await new Promise<void>((r) => (wake = r));
      }
      const out = buf.subarray(0, n);
      buf = buf.subarray(n);
      return out;
    },
    rest: () => buf,
    detach() {
      sock.removeAllListeners('data');
      sock.off('end', onEnd);
      sock.off('close', onEnd);
    },
  };
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    sock.once('connect', () => resolve(sock));
    sock.once('error', reject);
  });
}

function address(a: SocksAddress): Buffer {
  if ('ipv4' in a) return Buffer.from([0x01, ...a.ipv4.split('.').map(Number)]);
  if ('domain' in a) return Buffer.concat([Buffer.from([0x03, Buffer.byteLength(a.domain)]), Buffer.from(a.domain)]);
  const full = expand(a.ipv6);
  const bytes = Buffer.alloc(16);
  full.split(':').forEach((g, i) => bytes.writeUInt16BE(parseInt(g, 16), i * 2));
  return Buffer.concat([Buffer.from([0x04]), bytes]);
}

function expand(v6: string): string {
  const [head, tail] = v6.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  return [...h, ...Array(8 - h.length - t.length).fill('0'), ...t].join(':');
}

export interface Socks5Options {
  auth?: { username: string; password: string };
  /** Methods to offer; default: 0x00, plus 0x02 with auth. */
  methods?: number[];
  command?: number;
  /** Bytes sent in the same write as the request (before the reply). */
  early?: Buffer;
}

export async function socks5(port: number, dest: SocksAddress, destPort: number, opts: Socks5Options = {}): Promise<SocksResult> {
  const sock = await connect(port);
  sock.on('error', () => undefined);
  const r = reader(sock);
  const methods = opts.methods ?? (opts.auth ? [0x02] : [0x00]);
  sock.write(Buffer.from([0x05, methods.length, ...methods]));
  const [, method] = await r.read(2);
  if (method === 0xff) {
    sock.destroy();
    return { status: -1, method, sock };
  }
  let authStatus: number | undefined;
  if (method === 0x02) {
    const { username, password } = opts.auth ?? { username: '', password: '' };
    sock.write(
      Buffer.concat([
        Buffer.from([0x01, Buffer.byteLength(username)]),
        Buffer.from(username),
        Buffer.from([Buffer.byteLength(password)]),
        Buffer.from(password),
      ]),
    );
    authStatus = (await r.read(2))[1];
    if (authStatus !== 0) {
      sock.destroy();
      return { status: -1, method, authStatus, sock };
    }
  }
  const port16 = Buffer.alloc(2);
  port16.writeUInt16BE(destPort);
  sock.write(Buffer.concat([Buffer.from([0x05, opts.command ?? 0x01, 0x00]), address(dest), port16, opts.early ?? Buffer.alloc(0)]));
  const head = await r.read(4);
  const addrLen = head[3] === 0x01 ? 4 : head[3] === 0x04 ? 16 : (await r.read(1))[0];
  await r.read(addrLen + 2);
  return finish(sock, r, head[1], head[1] === 0x00, { method, authStatus });
}

export async function socks4(port: number, dest: { ipv4: string } | { domain: string }, destPort: number, userId = 'burrow'): Promise<SocksResult> {
  const sock = await connect(port);
  sock.on('error', () => undefined);
  const r = reader(sock);
  const head = Buffer.alloc(8);
  head[0] = 0x04;
  head[1] = 0x01;
  head.writeUInt16BE(destPort, 2);
  const ip = 'ipv4' in dest ? dest.ipv4.split('.').map(Number) : [0, 0, 0, 1];
  ip.forEach((b, i) => (head[4 + i] = b));
  const parts = [head, Buffer.from(userId), Buffer.from([0])];
  if ('domain' in dest) parts.push(Buffer.from(dest.domain), Buffer.from([0]));
  sock.write(Buffer.concat(parts));
  const reply = await r.read(8);
  return finish(sock, r, reply[1], reply[1] === 0x5a, {});
}

function finish(sock: net.Socket, r: ReturnType<typeof reader>, status: number, ok: boolean, extra: Partial<SocksResult>): SocksResult {
  const rest = r.rest();
  r.detach();
  if (!ok) sock.destroy();
  else if (rest.length) sock.unshift(rest);
  return { status, sock, ...extra };
}

/** Writes data, half-closes, and collects everything until the far end ends. */
export function exchange(sock: net.Socket, data: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    sock.on('data', (d) => chunks.push(d));
    sock.once('end', () => {
      sock.end();
      resolve(Buffer.concat(chunks));
    });
    sock.once('error', reject);
    sock.end(data);
  });
}
