// Counts the round trips of a login: the delay proxy's timeline of who sent what,
// for `ssh -N -L` and Burrow's engine, through a proxy with a long round trip.
// node bin/run-ts.mjs test/bench/login-trace.ts [rttMs]
import { spawn } from 'node:child_process';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { cleanup, freePort, startSshd } from '../support/sshd';
import { knownHostsVia, startDelayProxy } from '../support/delay-proxy';
import { echoServer } from '../support/tcp';
import { TunnelEngine } from '../../electron/tunnels/engine';
import { hostFor } from '../support/hosts';
import { boundOf } from '../../shared/tunnel-state';

const rtt = Number(process.argv[2] ?? 1000);
const sshd = await startSshd();
const echo = await echoServer();
const proxy = await startDelayProxy({ target: { host: '127.0.0.1', port: sshd.port }, rttMs: rtt });
const kh = knownHostsVia(sshd, proxy.port);

async function echoWhenUp(port: number, t0: number) {
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ port, host: '127.0.0.1' });
      s.once('connect', () => s.write('x'));
      s.once('data', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
      s.once('close', () => resolve(false));
    });
    if (ok) return performance.now() - t0;
    await new Promise((r) => setTimeout(r, 5));
  }
}

function trace(i: number) {
  const c = proxy.connections[i];
  return c ? `${c.up.chunks} up / ${c.down.chunks} down chunks` : 'no connection';
}

const port = await freePort();
let t0 = performance.now();
const ssh = spawn(
  'ssh',
  [
    '-N',
    '-F',
    '/dev/null',
    '-o',
    'BatchMode=yes',
    '-o',
    `UserKnownHostsFile=${kh}`,
    '-o',
    'IdentitiesOnly=yes',
    '-i',
    sshd.userKey,
    '-p',
    String(proxy.port),
    '-c',
    'aes128-gcm@openssh.com',
    '-L',
    `127.0.0.1:${port}:127.0.0.1:${echo.port}`,
    `${sshd.user}@127.0.0.1`,
  ],
  { stdio: 'ignore' },
);
const sshMs = await echoWhenUp(port, t0);
console.log(`ssh -N: first echo after ${sshMs.toFixed(0)} ms = ${(sshMs / rtt).toFixed(2)} round trips; ${trace(0)}`);
ssh.kill();

const e = new TunnelEngine();
e.add('t', hostFor(sshd, { port: proxy.port, knownHostsFiles: [kh], ciphers: ['aes128-gcm@openssh.com'] }), {
  kind: 'local',
  listen: { host: '127.0.0.1', port: 0 },
  target: { host: '127.0.0.1', port: echo.port },
});
t0 = performance.now();
const started = e.start('t');
let bound: number | undefined;
while (!(bound = (boundOf(e.get('t').state) as { port: number } | undefined)?.port)) await new Promise((r) => setTimeout(r, 5));
const bMs = await echoWhenUp(bound, t0);
await started;
console.log(`Burrow engine: first echo after ${bMs.toFixed(0)} ms = ${(bMs / rtt).toFixed(2)} round trips; ${trace(1)}`);
await e.shutdown();
await proxy.close();
await echo.close();
await cleanup(sshd);
