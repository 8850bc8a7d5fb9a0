// What patches/ssh2+1.17.0.patch changes in ssh2's per-packet and per-connection
// work (each change measured in docs/benchmarks.md): packet padding cut from a
// pool of random bytes instead of one randomFillSync call per packet, and no
// unused error object built when a forwarded connection's channel is let go.
import { afterEach, describe, expect, it, vi } from 'vitest';
import crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Client, type ClientChannel } from 'ssh2';
import { cleanup, startSshd } from '../../support/sshd';
import { echoServer } from '../../support/tcp';

const require = createRequire(import.meta.url);
const undo: Array<() => unknown> = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const u of undo.splice(0).reverse()) await u();
});

interface Cipher {
  allocPacket(payloadLen: number): Buffer;
}

/** A fresh copy of ssh2's crypto.js, so that it picks up a spy on crypto.randomFillSync. */
function freshSsh2Crypto(): { createCipher(cfg: unknown): Cipher; CIPHER_INFO: Record<string, { keyLen: number; ivLen: number }> } {
  const path = require.resolve('ssh2/lib/protocol/crypto.js');
  const cached = require.cache[path];
  delete require.cache[path];
  undo.push(() => {
    require.cache[path] = cached;
  });
  return require(path);
}

describe('ssh2 packet padding (patched)', () => {
  it('comes from a pool refilled from the CSPRNG, not one randomFillSync call per packet, and no random byte is used twice', () => {
    const fill = vi.spyOn(crypto, 'randomFillSync');
    const { createCipher, CIPHER_INFO } = freshSsh2Crypto();
    const info = CIPHER_INFO['aes128-gcm@openssh.com'];
    const cipher = createCipher({
      outbound: { onWrite: () => {}, cipherInfo: info, cipherKey: crypto.randomBytes(info.keyLen), cipherIV: crypto.randomBytes(info.ivLen), seqno: 0 },
    });
    const paddings: Buffer[] = [];
    for (let i = 0; i < 2000; i++) {
      const payloadLen = 1 + (i % 64);
      const packet = cipher.allocPacket(payloadLen);
      const padLen = packet[4];
      expect(padLen).toBeGreaterThanOrEqual(4);
      paddings.push(Buffer.from(packet.subarray(5 + payloadLen, 5 + payloadLen + padLen)));
    }
    // Unpatched: 2000 calls, one per packet. The pool (16 KiB) covers about 1000 packets.
    expect(fill.mock.calls.length).toBeLessThanOrEqual(4);
    expect(fill.mock.calls.length).toBeGreaterThanOrEqual(1);
    // Consecutive packets never share padding, and the bytes are not constant.
    for (let i = 1; i < paddings.length; i++) expect(paddings[i].equals(paddings[i - 1].subarray(0, paddings[i].length))).toBe(false);
    const all = Buffer.concat(paddings);
    expect(new Set(all).size).toBeGreaterThan(200);
  });
});

describe('ssh2 channel teardown (patched)', () => {
  it('destroy() on a channel whose writing side has ended does not call end() again (which builds an unused ERR_STREAM_ALREADY_FINISHED)', async () => {
    const s = await startSshd();
    undo.push(() => cleanup(s));
    const echo = await echoServer();
    undo.push(() => echo.close());
    const client = new Client();
    undo.push(() => client.end());
    await new Promise<void>((resolve, reject) => {
      client.once('ready', resolve).once('error', reject);
      client.connect({ host: '127.0.0.1', port: s.port, username: s.user, privateKey: readFileSync(s.userKey), readyTimeout: 30_000 });
    });
    const channel = await new Promise<ClientChannel>((resolve, reject) =>
      client.forwardOut('127.0.0.1', 0, '127.0.0.1', echo.port, (err, ch) => (err ? reject(err) : resolve(ch))),
    );
    const closed = new Promise<void>((resolve) => channel.once('close', () => resolve()));
    const echoed = new Promise<string>((resolve) => {
      let got = '';
      channel.on('data', (d: Buffer) => (got += d.toString()));
      channel.on('end', () => resolve(got));
    });
    await new Promise<void>((resolve) => channel.end('ping', resolve));
    // From here on the writing side has ended: ssh2 itself calls destroy() once the
    // echo's EOF arrives (stream autoDestroy), and a forward lets go of it again.
    const end = vi.spyOn(channel, 'end');
    expect(await echoed).toBe('ping');
    channel.destroy();
    await closed;
    expect(end).not.toHaveBeenCalled();
  }, 60_000);
});
