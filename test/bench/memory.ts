// Resident memory of the process that owns the tunnels with 1, 50 and 200 idle
// forwards through one session, for Burrow's engine and for OpenSSH's ssh.
import type { ForwardSpec } from '../../shared/forward-spec';
import { freePort, type Sshd } from '../support/sshd';
import { EngineProcess } from './engine-process';
import { startOpenSsh } from './openssh-client';
import { rssBytes } from './proc-stats';
import type { Row } from './report';
import { benchHost } from './sides';
import { fmt, MiB, ratio } from './stats';
import type { Targets } from './targets';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function burrowRss(sshd: Sshd, targets: Targets, counts: number[]): Promise<{ idle: number; byCount: number[] }> {
  const engine = await EngineProcess.spawn();
  try {
    await engine.request({ cmd: 'gc' });
    const idle = rssBytes(engine.pid);
    const host = benchHost(sshd, 'aes128-gcm@openssh.com');
    const byCount: number[] = [];
    let have = 0;
    for (const n of counts) {
      const forwards: Array<{ id: string; spec: ForwardSpec }> = [];
      for (; have < n; have++) {
        forwards.push({
          id: `f${have}`,
          spec: { kind: 'local', listen: { host: '127.0.0.1', port: 0 }, target: { host: '127.0.0.1', port: targets.ports.echo } },
        });
      }
      await engine.request({ cmd: 'start', host, forwards });
      await sleep(300);
      await engine.request({ cmd: 'gc' });
      byCount.push(rssBytes(engine.pid));
    }
    return { idle, byCount };
  } finally {
    await engine.close();
  }
}

async function opensshRss(sshd: Sshd, counts: number[]): Promise<number[]> {
  const out: number[] = [];
  for (const n of counts) {
    const ports: number[] = [];
    for (let i = 0; i < n; i++) ports.push(await freePort());
    const forwards = ports.flatMap((p) => ['-L', `127.0.0.1:${p}:127.0.0.1:9`]);
    const ssh = await startOpenSsh(sshd, { cipher: 'aes128-gcm@openssh.com', forwards, readyPorts: [ports[ports.length - 1]] });
    await sleep(300);
    out.push(rssBytes(ssh.pid));
    await ssh.close();
  }
  return out;
}

export async function idleForwardMemory(sshd: Sshd, targets: Targets, counts: number[]): Promise<{ rows: Row[]; notes: string[] }> {
  const b = await burrowRss(sshd, targets, counts);
  const o = await opensshRss(sshd, counts);
  const rows: Row[] = counts.map((n, i) => ({
    metric: `RSS with ${n} idle forward${n === 1 ? '' : 's'} (MiB)`,
    burrow: fmt(b.byCount[i] / MiB),
    openssh: fmt(o[i] / MiB),
    ratio: ratio(b.byCount[i], o[i]),
  }));
  const last = counts.length - 1;
  const span = counts[last] - counts[0];
  const perB = (b.byCount[last] - b.byCount[0]) / span;
  const perO = (o[last] - o[0]) / span;
  rows.push({
    metric: `RSS per idle forward (KiB, ${counts[0]} -> ${counts[last]})`,
    burrow: fmt(perB / 1024),
    openssh: fmt(perO / 1024),
    ratio: ratio(perB, perO),
    target: '< 1024 KiB',
    pass: perB < MiB,
  });
  return {
    rows,
    notes: [`Burrow's engine process with no forward and no session: ${fmt(b.idle / MiB)} MiB (Node.js, ssh2, the engine's bundle).`],
  };
}
