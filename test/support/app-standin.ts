// Stands in for the desktop app in tests: the same services (createServices,
// publishing its status file as the app does) in a process of its own. Starts
// the named saved forwards, prints a JSON line per event, and disposes cleanly
// on SIGTERM, as the app's Quit does.
//   node bin/run-ts.mjs test/support/app-standin.ts CONFIG_DIR NAME...
import { createServices } from '../../electron/api/services';
import { MemorySecretStore } from '../../electron/profiles/secrets';

const [dir, ...names] = process.argv.slice(2);
const svc = await createServices({
  configDir: dir,
  secretStore: new MemorySecretStore(),
  watchProfiles: false,
  publishStatus: 'desktop',
  // A long backoff: a dropped forward stays 'reconnecting' while the test looks.
  engine: { reconnect: { baseDelayMs: 60_000, maxDelayMs: 60_000 } },
});
const say = (o: object) => process.stdout.write(JSON.stringify(o) + '\n');
svc.engine.on('state', (id, s) => say({ event: 'state', id, state: s.state }));
process.on('SIGTERM', () => {
  void svc.dispose().then(() => {
    say({ event: 'disposed' });
    process.exit(0);
  });
});
for (const name of names) {
  const r = await svc.dispatcher.dispatch('forward.start', { name });
  say({ event: 'started', name, ok: r.ok, ...(r.ok ? {} : { message: r.message }) });
}
say({ event: 'ready' });
