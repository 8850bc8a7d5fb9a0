// Adds host NAME to the profile store in DIR, but the first time it is about
// to replace config.json (holding the lock, the new file written) it writes
// MARKER and waits, blocked, until GO exists: the test can SIGSTOP or kill -9
// it right there, as a debugger, a laptop's sleep or the OOM killer would.
import { parseHost } from '../../shared/model';
import { existsSync, writeFileSync } from 'node:fs';
import { ProfileRepository } from '../../electron/profiles/repository';
import { NoSecretStore } from '../../electron/profiles/secrets';

const [dir, name, marker, go] = process.argv.slice(2);
const tick = new Int32Array(new SharedArrayBuffer(4));
let paused = false;
const repo = await ProfileRepository.open({
  dir,
  secrets: new NoSecretStore(),
  beforeRename: () => {
    if (paused) return;
    paused = true;
    writeFileSync(marker, String(process.pid));
    while (!existsSync(go)) Atomics.wait(tick, 0, 0, 20);
  },
});
await repo.addHost(parseHost({ name, hostname: `${name}.example.com` }));
