// The SOCKS server handshake (SOCKS5 per RFC 1928 with RFC 1929 username and
// password, SOCKS4 and SOCKS4a), CONNECT only. It reads the request and hands
// back the destination; the reply with the real status is sent once the SSH
// channel has been opened or has failed (see dynamic-forward.ts).
import type net from 'node:net';
import { createHash, timingSafeEqual } from 'node:crypto';
import { BurrowError, type ErrorCode } from '../../shared/errors';
import type { TcpEndpoint } from '../../shared/forward-spec';

export interface SocksCredentials {
  username: string;
  /** null: not known yet; every login is refused. */
  password: string | null;
}

export interface SocksOptions {
  /** When set, SOCKS5 clients must log in with these; SOCKS4 is refused. */
  auth?: SocksCredentials;
  /** How long a client may take to send its request. */
  timeoutMs: number;
}

export interface SocksRequest {
  version: 4 | 5;
  target: TcpEndpoint;
}

/** SOCKS5 reply codes (RFC 1928 section 6). */
export const REP = {
  SUCCEEDED: 0x00,
  GENERAL_FAILURE: 0x01,
  NOT_ALLOWED: 0x02,
  NETWORK_UNREACHABLE: 0x03,
  HOST_UNREACHABLE: 0x04,
  CONNECTION_REFUSED: 0x05,
  TTL_EXPIRED: 0x06,
  COMMAND_NOT_SUPPORTED: 0x07,
  ADDRESS_TYPE_NOT_SUPPORTED: 0x08,
} as const;

const SOCKS4_GRANTED = 0x5a;
const SOCKS4_REJECTED = 0x5b;

/** The SOCKS5 status for a failure to reach the destination. */
export function socks5Status(code: ErrorCode, message = ''): number {
  switch (code) {
    case 'DEST_PROHIBITED':
      return REP.NOT_ALLOWED;
    case 'DEST_REFUSED':
      return REP.CONNECTION_REFUSED;
    case 'DEST_UNRESOLVED':
    case 'DEST_TIMEOUT':
      return REP.HOST_UNREACHABLE;
    case 'DEST_FAILED':
      if (/network is unreachable/i.test(message)) return REP.NETWORK_UNREACHABLE;
      if (/no route|unreachable/i.test(message)) return REP.HOST_UNREACHABLE;
      return REP.GENERAL_FAILURE;
    default:
      // The SSH session is down or something else broke: the proxy itself failed.
      return REP.GENERAL_FAILURE;
  }
}

export function socks5Reply(rep: number): Buffer {
  // The bound address is not known through SSH; 0.0.0.0:0 is what OpenSSH sends too.
  return Buffer.from([0x05, rep, 0x00, 0x01, 0, 0, 0, 0, 0, 0]);
}

export function socks4Reply(granted: boolean): Buffer {
  return Buffer.from([0x00, granted ? SOCKS4_GRANTED : SOCKS4_REJECTED, 0, 0, 0, 0, 0, 0]);
}

/** Reads exact byte counts from a paused socket; leftovers go back onto the socket. */
class SocketReader {
  private buf: Buffer = Buffer.alloc(0);
  private pending?: { test: () => Buffer | undefined; resolve: (b: Buffer) => void; reject: (e: Error) => void };
  private failure?: Error;

  constructor(private sock: net.Socket) {
    sock.on('data', this.onData);
    sock.on('end', this.onEnd);
    sock.on('close', this.onEnd);
    sock.resume();
  }

  private onData = (d: Buffer) => {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    this.check();
  };

  private onEnd = () => this.fail(new Error('the client closed the connection during the SOCKS handshake'));

  fail(err: Error) {
    this.failure ??= err;
    const p = this.pending;
    this.pending = undefined;
    p?.reject(this.failure);
  }

  private check() {
    if (!this.pending) return;
    const got = this.pending.test();
    if (!got) return;
    const p = this.pending;
    this.pending = undefined;
    p.resolve(got);
  }

  private wait(test: () => Buffer | undefined): Promise<Buffer> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending = { test, resolve, reject };
      this.check();
    });
  }

  read(n: number): Promise<Buffer> {
    return this.wait(() => {
      if (this.buf.length < n) return undefined;
      const out = this.buf.subarray(0, n);
      this.buf = this.buf.subarray(n);
      return out;
    });
  }

  /** A NUL-terminated string of at most max bytes (SOCKS4 user id, SOCKS4a host). */
  readCString(max: number, what: string): Promise<Buffer> {
    return this.wait(() => {
      const end = this.buf.indexOf(0);
      if (end < 0) {
        if (this.buf.length > max) this.fail(new Error(`the SOCKS4 ${what} is longer than ${max} bytes`));
        return undefined;
      }
      const out = this.buf.subarray(0, end);
      this.buf = this.buf.subarray(end + 1);
      return out;
    });
  }

  /** Stops reading; bytes the client sent early stay on the socket for the tunnel. */
  release() {
    this.sock.pause();
    this.sock.off('data', this.onData);
    this.sock.off('end', this.onEnd);
    this.sock.off('close', this.onEnd);
    if (this.buf.length && !this.sock.destroyed) this.sock.unshift(this.buf);
    this.buf = Buffer.alloc(0);
  }
}

const refuse = (message: string) => new BurrowError('VALIDATION', message);

function sameSecret(a: string, b: string): boolean {
  const h = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(h(a), h(b));
}

function ipv6Text(b: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i).toString(16));
  return groups.join(':');
}

async function socks5(r: SocketReader, sock: net.Socket, opts: SocksOptions): Promise<SocksRequest> {
  const [count] = await r.read(1);
  const methods = count ? [...(await r.read(count))] : [];
  let method: number;
  if (opts.auth) method = methods.includes(0x02) ? 0x02 : 0xff;
  else method = methods.includes(0x00) ? 0x00 : methods.includes(0x02) ? 0x02 : 0xff;
  sock.write(Buffer.from([0x05, method]));
  if (method === 0xff) {
    sock.end();
    throw refuse(
      opts.auth
        ? 'the SOCKS client did not offer username/password authentication, which this proxy requires. Configure the username and password in the client.'
        : `the SOCKS client offered no authentication method this proxy supports (offered: ${methods.join(', ') || 'none'}).`,
    );
  }
  if (method === 0x02) {
    const [ver] = await r.read(1);
    if (ver !== 0x01) throw refuse(`bad SOCKS5 username/password version ${ver} (expected 1, RFC 1929).`);
    const user = (await r.read((await r.read(1))[0])).toString('utf8');
    const pass = (await r.read((await r.read(1))[0])).toString('utf8');
    // Both compared every time, so timing does not tell which one was wrong.
    const userOk = !opts.auth || sameSecret(user, opts.auth.username);
    const passOk = !opts.auth || (opts.auth.password !== null && sameSecret(pass, opts.auth.password));
    const ok = userOk && passOk;
    sock.write(Buffer.from([0x01, ok ? 0x00 : 0x01]));
    if (!ok) {
      sock.end();
      throw refuse(`SOCKS login refused for user '${user}': wrong username or password.`);
    }
  }
  const [ver, cmd, , atyp] = await r.read(4);
  if (ver !== 0x05) throw refuse(`bad SOCKS5 request version ${ver}.`);
  let host: string;
  if (atyp === 0x01) host = [...(await r.read(4))].join('.');
  else if (atyp === 0x04) host = ipv6Text(await r.read(16));
  else if (atyp === 0x03) host = (await r.read((await r.read(1))[0])).toString('utf8');
  else {
    sock.end(socks5Reply(REP.ADDRESS_TYPE_NOT_SUPPORTED));
    throw refuse(`unsupported SOCKS5 address type ${atyp}.`);
  }
  const port = (await r.read(2)).readUInt16BE(0);
  if (cmd !== 0x01) {
    sock.end(socks5Reply(REP.COMMAND_NOT_SUPPORTED));
    throw refuse(`SOCKS5 command ${cmd === 0x02 ? 'BIND' : cmd === 0x03 ? 'UDP ASSOCIATE' : cmd} is not supported; only CONNECT is.`);
  }
  if (!host || port === 0) {
    sock.end(socks5Reply(REP.HOST_UNREACHABLE));
    throw refuse(`the SOCKS5 request has no usable destination (host '${host}', port ${port}).`);
  }
  return { version: 5, target: { host, port } };
}

async function socks4(r: SocketReader, sock: net.Socket, opts: SocksOptions): Promise<SocksRequest> {
  const head = await r.read(7);
  const cmd = head[0];
  const port = head.readUInt16BE(1);
  const ip = [...head.subarray(3, 7)];
  await r.readCString(255, 'user id');
  // SOCKS4a: 0.0.0.x (x != 0) means "the host name follows".
  const is4a = ip[0] === 0 && ip[1] === 0 && ip[2] === 0 && ip[3] !== 0;
  const host = is4a ? (await r.readCString(255, 'host name')).toString('utf8') : ip.join('.');
  if (opts.auth) {
    sock.end(socks4Reply(false));
    throw refuse('a SOCKS4 client connected, but this proxy requires a username and password, which only SOCKS5 carries. Configure the client for SOCKS5.');
  }
  if (cmd !== 0x01) {
    sock.end(socks4Reply(false));
    throw refuse(`SOCKS4 command ${cmd === 0x02 ? 'BIND' : cmd} is not supported; only CONNECT is.`);
  }
  if (!host || port === 0) {
    sock.end(socks4Reply(false));
    throw refuse(`the SOCKS4 request has no usable destination (host '${host}', port ${port}).`);
  }
  return { version: 4, target: { host, port } };
}

/**
 * Reads a SOCKS request from a freshly accepted (paused) socket. Protocol
 * errors are answered as the protocol wants, then thrown as VALIDATION errors
 * whose message says what the client did wrong.
 */
export async function readSocksRequest(sock: net.Socket, opts: SocksOptions): Promise<SocksRequest> {
  const r = new SocketReader(sock);
  const timer = setTimeout(() => r.fail(new Error(`the SOCKS client sent no complete request within ${Math.round(opts.timeoutMs / 1000)} s`)), opts.timeoutMs);
  try {
    const [version] = await r.read(1);
    if (version === 0x05) return await socks5(r, sock, opts);
    if (version === 0x04) return await socks4(r, sock, opts);
    const first = String.fromCharCode(version);
    if (/[A-Z]/.test(first)) {
      // An HTTP client pointed at the SOCKS port: tell it in its own language.
      sock.end(
        'HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\nThis is a SOCKS proxy, not an HTTP proxy. Configure the client for SOCKS5.\r\n',
      );
      throw refuse(
        'an HTTP client connected to the SOCKS port. Configure it to use a SOCKS5 proxy (for curl: --socks5-hostname or socks5h://), not an HTTP proxy.',
      );
    }
    sock.end();
    throw refuse(`not a SOCKS request (first byte 0x${version.toString(16).padStart(2, '0')}). Configure the client to use a SOCKS5 or SOCKS4 proxy.`);
  } catch (e) {
    if (e instanceof BurrowError) throw e;
    throw refuse(`${(e as Error).message}.`);
  } finally {
    clearTimeout(timer);
    r.release();
  }
}
