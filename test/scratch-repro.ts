import { startSshd, cleanup, freePort } from './support/sshd';
import net from 'node:net';
import { main } from '../electron/cli/main';
import { inProcessIO } from './support/cli-in-process';
const s = await startSshd();
const busy = net.createServer().listen(0, '127.0.0.1');
await new Promise((r) => busy.once('listening', r));
const bp = (busy.address() as net.AddressInfo).port;
const base = ['-i', s.userKey, '-o', `UserKnownHostsFile=${s.knownHosts}`, '-p', String(s.port)];
async function run(argv: string[], ms = 1500) {
  const t = inProcessIO('/nonexistent');
  const p = main(argv, t);
  await new Promise((r) => setTimeout(r, ms));
  t.stop();
  const code = await p;
  console.log('$ burrow', argv.join(' '), '->', code);
  console.log(t.err() + t.out());
}
await run(['connect', ...base, '-L', `${bp}:127.0.0.1:1`, `${s.user}@127.0.0.1`]);
await run(['connect', ...base, '-D', `${bp}`, `${s.user}@127.0.0.1`]);
await run(['connect', ...base, '--json', '-L', `${bp}:127.0.0.1:1`, `${s.user}@127.0.0.1`]);
await run(['connect', ...base, '-L', `[::1]:${await freePort()}:127.0.0.1:1`, `${s.user}@127.0.0.1`]);
await run(['connect', ...base, '-L', `80:127.0.0.1:1`, `${s.user}@nonexist.invalid`]);
await run(['connect', '-i', s.userKey, '-p', String(s.port), '-o', 'StrictHostKeyChecking=ask', '-L', `${await freePort()}:127.0.0.1:1`, `${s.user}@127.0.0.1`]);
await run(['connect', '-i', s.userKey, '-p', String(s.port), '-L', `${await freePort()}:127.0.0.1:1`, `${s.user}@127.0.0.1`]);
busy.close();
await cleanup(s);
