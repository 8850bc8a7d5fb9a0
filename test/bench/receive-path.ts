// The download path's CPU per packet, measured in one process without sshd's
// timing in it: encrypted CHANNEL_DATA packets (made here, with a key we set)
// are fed to a real ssh2 client's receive path, one "read" per event-loop turn,
// through a forward channel into a local socket whose reader is another process.
//   node --expose-gc bin/run-ts.mjs test/bench/receive-path.ts [--mib 128] [--rounds 5] [--read-kib 128]
//        [--layers decrypt,handler,readable,socket] [--nonative]
// --read-kib packets: reads of 4 whole packets (none split across reads).
// --adjacent: the reads are consecutive views of one buffer (as if read into one buffer).
// Layers, each its own channel, interleaved round by round (each row's CPU includes the rows above it):
//   decrypt   the decipher alone (payloads dropped)
//   handler   + ssh2's parse, dispatch, CHANNEL_DATA handler and window accounting (push dropped)
//   readable  + the channel's Readable and a 'data' listener
//   socket    + pipe.ts's bridge() into a local socket (what a -L download does)
// --nonative: ssh2's decipher on Node's crypto, as in the desktop app.
// The CPU is this process's (user + kernel); the reader's is not in it. Packets
// are made before each timed run; the feed itself (a turn of the event loop per
// read) is in the decrypt row.
// After the real login and channel opens, the SSH socket is no longer read: the
// client's decipher is swapped for one with our key. Window adjusts still go to sshd.
import net from 'node:net';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Client, type ClientChannel } from 'ssh2';
import { bridge } from '../../electron/tunnels/pipe';
import { cleanup, startSshd } from '../support/sshd';

const require = createRequire(import.meta.url);
interface Decipher {
  inSeqno: number;
  _onPayload: (payload: Buffer) => unknown;
  decrypt(data: Buffer, p: number, len: number): unknown;
}
interface Cipher {
  allocPacket(payloadLen: number): Buffer;
  encrypt(packet: Buffer): void;
}
const crypto = require('ssh2/lib/protocol/crypto.js') as {
  CIPHER_INFO: Record<string, { keyLen: number; ivLen: number }>;
  bindingAvailable: boolean;
  createCipher(cfg: unknown): Cipher;
  createDecipher(cfg: unknown): Decipher;
};

const argv = process.argv.slice(2);
const flag = (name: string, dflt: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1]! : dflt);
const MiB = 1024 * 1024;
const bytes = Number(flag('--mib', '128')) * MiB;
const rounds = Number(flag('--rounds', '5'));
const readKiB = flag('--read-kib', '128');
// 'packets': each read ends on a packet boundary (4 packets), so no packet is split across reads.
const readSize = readKiB === 'packets' ? 0 : Number(readKiB) * 1024;
const native = !argv.includes('--nonative');
const allLayers = ['decrypt', 'handler', 'readable', 'socket'] as const;
const layers = flag('--layers', allLayers.join(',')).split(',') as (typeof allLayers)[number][];
if (layers.some((l) => !allLayers.includes(l))) throw new Error(`--layers: some of ${allLayers.join(',')}`);
type Layer = (typeof layers)[number];
const DATA = 32 * 1024;
const CIPHER = 'aes128-gcm@openssh.com';

/** A reader in its own process: prints a line each time `total` more bytes have arrived. */
function startSink(total: number): Promise<{ port: number; next: () => Promise<void>; stop: () => void }> {
  const code = `const n=${total};let c=0;require('net').createServer(s=>{s.setNoDelay(true);s.on('data',d=>{c+=d.length;while(c>=n){c-=n;process.stdout.write('d\\n')}})}).listen(0,'127.0.0.1',function(){process.stdout.write(this.address().port+'\\n')})`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const waiting: (() => void)[] = [];
  let done = 0;
  return new Promise((resolve) => {
    let port = 0;
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      for (const line of s.split('\n').filter(Boolean)) {
        if (!port) {
          port = Number(line);
          resolve({
            port,
            next: () => new Promise<void>((r) => (done > 0 ? (done--, r()) : waiting.push(r))),
            stop: () => child.kill(),
          });
        } else if (waiting.length) waiting.shift()!();
        else done++;
      }
    });
  });
}

function forwardOut(client: Client, port: number): Promise<ClientChannel> {
  return new Promise((resolve, reject) => client.forwardOut('127.0.0.1', 0, '127.0.0.1', port, (err, ch) => (err ? reject(err) : resolve(ch))));
}

/** `bytes` of CHANNEL_DATA for `recipient`, encrypted with a fresh key, cut into reads of readSize. */
function packets(recipient: number, seqno: number) {
  const key = randomBytes(16);
  const iv = randomBytes(12);
  const info = crypto.CIPHER_INFO[CIPHER];
  const out: Buffer[] = [];
  const cipher = crypto.createCipher({
    outbound: { onWrite: (b: Buffer) => out.push(Buffer.from(b)), cipherInfo: info, cipherKey: key, cipherIV: Buffer.from(iv), seqno },
  });
  const data = randomBytes(DATA);
  for (let sent = 0; sent < bytes; sent += DATA) {
    const pkt = cipher.allocPacket(9 + DATA);
    pkt[5] = 94; // CHANNEL_DATA
    pkt.writeUInt32BE(recipient, 6);
    pkt.writeUInt32BE(DATA, 10);
    data.copy(pkt, 14);
    cipher.encrypt(pkt);
  }
  const all = Buffer.concat(out);
  const reads: Buffer[] = [];
  const size = readSize || 4 * out[0]!.length;
  for (let p = 0; p < all.length; p += size) {
    if (argv.includes('--adjacent')) {
      reads.push(all.subarray(p, Math.min(p + size, all.length)));
      continue;
    }
    const r = Buffer.allocUnsafeSlow(Math.min(size, all.length - p));
    all.copy(r, 0, p);
    reads.push(r);
  }
  return { key, iv, reads, count: bytes / DATA };
}

/** CPU seconds of this process's main thread (the event loop) so far (schedstat, ns); the rest of process.cpuUsage() is V8's and libuv's helper threads. */
function mainThreadCpu(): number {
  return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1e9;
}

const turn = () => new Promise<void>((r) => setImmediate(r));

async function main() {
  if (!native) process.stderr.write('--nonative: Node crypto decipher\n');
  const sshd = await startSshd();
  const dest = net.createServer(() => {});
  await new Promise<void>((r) => dest.listen(0, '127.0.0.1', r));
  const destPort = (dest.address() as net.AddressInfo).port;
  const sink = await startSink(bytes);
  const client = new Client();
  await new Promise<void>((resolve, reject) => {
    client.once('ready', resolve).once('error', reject);
    client.connect({
      host: sshd.host,
      port: sshd.port,
      username: sshd.user,
      privateKey: readFileSync(sshd.userKey),
      algorithms: { cipher: [CIPHER] },
    });
  });
  const channels = new Map<Layer, ClientChannel>();
  let delivered = 0;
  for (const layer of layers) {
    const ch = await forwardOut(client, destPort);
    channels.set(layer, ch);
    if (layer === 'handler') (ch as unknown as { push: (d: unknown) => boolean }).push = () => true;
    if (layer === 'readable') ch.on('data', (d: Buffer) => (delivered += d.length));
    if (layer === 'socket') {
      const local = net.connect(sink.port, '127.0.0.1');
      local.setNoDelay(true);
      await new Promise((r) => local.once('connect', r));
      void bridge(local, ch, () => {});
    }
  }
  const internals = client as unknown as { _sock: net.Socket; _protocol: { _decipher: Decipher } };
  internals._sock.pause();
  const feed = (d: Buffer) => internals._sock.listeners('data').forEach((f) => (f as (b: Buffer) => void)(d));
  const onPayload = internals._protocol._decipher._onPayload;

  const results = new Map<Layer, number[]>(layers.map((l) => [l, []]));
  const sys = new Map<Layer, number[]>(layers.map((l) => [l, []]));
  const main = new Map<Layer, number[]>(layers.map((l) => [l, []]));
  for (let round = 0; round < rounds; round++) {
    for (const layer of layers) {
      const ch = channels.get(layer)! as unknown as { incoming: { id: number; window: number } };
      const seqno = internals._protocol._decipher.inSeqno;
      const { key, iv, reads, count } = packets(ch.incoming.id, seqno);
      const decipher = crypto.createDecipher({
        inbound: {
          onPayload: layer === 'decrypt' ? () => undefined : onPayload,
          decipherInfo: crypto.CIPHER_INFO[CIPHER],
          decipherKey: key,
          decipherIV: iv,
          seqno,
          forceNative: !native,
        },
      });
      internals._protocol._decipher = decipher;
      delivered = 0;
      (globalThis as { gc?: () => void }).gc?.();
      await turn();
      const t0 = process.cpuUsage();
      const m0 = mainThreadCpu();
      for (const r of reads) {
        // Never beyond the window (ssh2 drops such data): wait for the reader, as sshd would.
        while (ch.incoming.window < r.length) await new Promise((res) => setTimeout(res, 1));
        feed(r);
        await turn();
      }
      if (layer === 'socket') await sink.next();
      const cpu = process.cpuUsage(t0);
      main.get(layer)!.push(((mainThreadCpu() - m0) * 1e6) / count);
      results.get(layer)!.push((cpu.user + cpu.system) / count);
      sys.get(layer)!.push(cpu.system / count);
      if (layer === 'readable' && delivered !== bytes) throw new Error(`readable: ${delivered} of ${bytes} bytes`);
    }
  }
  const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
  process.stdout.write(
    `${bytes / MiB} MiB x ${rounds} rounds, reads of ${readSize ? `${readSize / 1024} KiB` : '4 whole packets'}, ${native ? 'native binding' : 'Node crypto'}, CPU us per 32 KiB packet (median; runs)\n`,
  );
  let prev = 0;
  for (const layer of layers) {
    const m = median(results.get(layer)!);
    process.stdout.write(
      `${layer.padEnd(9)} ${m.toFixed(2).padStart(7)}  (+${(m - prev).toFixed(2)}, kernel ${median(sys.get(layer)!).toFixed(2)}, main thread ${median(main.get(layer)!).toFixed(2)})  ${results
        .get(layer)!
        .map((v) => v.toFixed(1))
        .join(' ')}\n`,
    );
    prev = m;
  }
  sink.stop();
  client.end();
  dest.close();
  await cleanup(sshd);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
