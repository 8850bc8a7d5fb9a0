// Requests back to back on one connection, each answered in two writes 2 ms
// apart (the reply target): the time to the whole answer. sshd keeps Nagle on
// for forwarding-only sessions, so the second write waits while the first is
// unacknowledged, and a client in the middle of an exchange delays its ACK by
// up to 40 ms. Burrow acknowledges unanswered reads at once
// (electron/tunnels/ack-nudge.ts).
import { performance } from 'node:perf_hooks';
import { progress, type Row } from './report';
import type { Pair } from './sides';
import { fmt, percentile, ratio } from './stats';
import { SPLIT_REPLY } from './targets';

const ANSWER_BYTES = SPLIT_REPLY.join('').length;

async function exchanges(dial: Pair['burrow']['route'], count: number): Promise<number[]> {
  const sock = await dial.dial('reply');
  try {
    const ms: number[] = [];
    for (let i = 0; i < count; i++) {
      const t0 = performance.now();
      await new Promise<void>((resolve, reject) => {
        let got = 0;
        const onData = (d: Buffer) => {
          got += d.length;
          if (got < ANSWER_BYTES) return;
          sock.off('data', onData);
          sock.off('close', onClose);
          resolve();
        };
        const onClose = () => reject(new Error('the reply target closed the connection'));
        sock.on('data', onData);
        sock.once('close', onClose);
        sock.write('?');
      });
      ms.push(performance.now() - t0);
    }
    return ms;
  } finally {
    sock.destroy();
  }
}

export async function splitReply(pair: Pair, count: number): Promise<Row[]> {
  const ms: Record<string, number[]> = { Burrow: [], OpenSSH: [] };
  const block = 10;
  for (let i = 0; i < count; i += block) {
    for (const side of [pair.burrow, pair.openssh]) ms[side.name].push(...(await exchanges(side.route, Math.min(block, count - i) + 1)).slice(1));
  }
  const p50 = (name: string) => percentile(ms[name], 50);
  progress(`split reply p50 Burrow ${fmt(p50('Burrow'), 2)} ms, OpenSSH ${fmt(p50('OpenSSH'), 2)} ms`);
  return [
    {
      metric: `request/response, answer in two writes 2 ms apart (ms, p50 of ${count} back to back)`,
      burrow: fmt(p50('Burrow'), 2),
      openssh: fmt(p50('OpenSSH'), 2),
      ratio: ratio(p50('Burrow'), p50('OpenSSH')),
    },
  ];
}
