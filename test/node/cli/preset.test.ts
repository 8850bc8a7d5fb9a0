// `burrow preset` run twice adds a second forward named PRESET-HOST-2, as the
// window and the tray do (one shared function); an explicit --name that is
// taken is still refused.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices } from '../../../electron/api/services';
import { MemorySecretStore } from '../../../electron/profiles/secrets';
import { burrowDone } from '../../support/cli';

let dir: string;
const env = () => ({ BURROW_CONFIG_DIR: dir });
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'burrow-cli-preset-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('burrow preset', () => {
  it('twice: a second forward with a -2 suffix and the next free port; the window then goes on with -3', async () => {
    expect((await burrowDone(['add', 'host', 'mail', 'mail.example.com'], { env: env() })).code).toBe(0);
    const one = await burrowDone(['preset', 'pop3', '--via', 'mail', '--json'], { env: env() });
    expect(one.code, one.stderr).toBe(0);
    const first = JSON.parse(one.stdout);
    expect(first).toMatchObject({ name: 'pop3-mail', kind: 'local', target: { host: 'localhost', port: 110 } });

    const two = await burrowDone(['preset', 'pop3', '--via', 'mail'], { env: env() });
    expect(two.code, two.stderr).toBe(0);
    expect(two.stdout).toMatch(/^Saved forward 'pop3-mail-2': POP3 on localhost:(\d+) /);
    const port2 = Number(/localhost:(\d+)/.exec(two.stdout)![1]);
    expect(port2).toBeGreaterThan(first.listen.port);

    // The window's forward.fromPreset on the same file: the same naming.
    const services = await createServices({ configDir: dir, secretStore: new MemorySecretStore(), watchProfiles: false });
    try {
      const r = await services.dispatcher.dispatch('forward.fromPreset', { presetId: 'pop3', host: 'mail' });
      expect(r.ok && (r.value as { forward: { name: string } }).forward.name).toBe('pop3-mail-3');
    } finally {
      await services.dispose();
    }

    // An explicit name is the person's choice: a clash is refused, not renamed.
    const named = await burrowDone(['preset', 'pop3', '--via', 'mail', '--name', 'pop3-mail'], { env: env() });
    expect(named.code).toBe(2);
    expect(named.stderr).toBe("burrow: error: A forward named 'pop3-mail' already exists; pick another name or edit it.\n");
  }, 60_000);
});
