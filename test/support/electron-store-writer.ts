// Saves host NAME to the profile store in DIR through the app's store binding
// (electron/app/store.ts: electron-store), run under the recording fake of
// 'electron' (node --import test/support/electron-fake/register.mjs), and
// prints what it saw as JSON: the store's class, how many writes reached the
// durable writer's check before the rename, and whether a write through
// electron-store that bypasses the repository was refused.
import { parseHost } from '../../shared/model';
import Conf from 'conf';
import { createElectronStore } from '../../electron/app/store';
import type { ConfLike } from '../../electron/profiles/conf-store';
import { ProfileRepository } from '../../electron/profiles/repository';
import { NoSecretStore } from '../../electron/profiles/secrets';

const [dir, name] = process.argv.slice(2);
let store: ConfLike | undefined;
let checks = 0;
const repo = await ProfileRepository.open({
  dir,
  secrets: new NoSecretStore(),
  createStore: (options) => (store = createElectronStore(options)),
  beforeRename: () => void checks++,
});
await repo.addHost(parseHost({ name, hostname: `${name}.example.com` }));
let bypass = 'written';
try {
  (store as unknown as Conf).set('stray', 1);
} catch (e) {
  bypass = (e as Error).message;
}
process.stdout.write(
  JSON.stringify({
    storeClass: store?.constructor.name,
    isConf: store instanceof Conf,
    path: store?.path,
    checks,
    bypass,
    hosts: repo.listHosts().map((h) => h.name),
  }),
);
