// Importing pasted / chosen-file ssh_config text through the dispatcher: Include
// lines are followed (relative paths against ~/.ssh), and each Include that
// cannot be read gets a report line naming the file.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../../electron/api/services';
import { MemorySecretStore } from '../../../electron/profiles/secrets';
import type { ImportResult } from '../../../shared/contract';

let home: string;
let services: Services;
const oldHome = process.env.HOME;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'burrow-import-text-'));
  mkdirSync(join(home, '.ssh', 'conf.d'), { recursive: true });
  mkdirSync(join(home, '.ssh', 'a-directory'));
  writeFileSync(join(home, '.ssh', 'conf.d', 'work.conf'), 'Host work\n  HostName work.example.com\n  LocalForward 1100 localhost:110\n');
  writeFileSync(join(home, 'elsewhere.conf'), 'Host far\n  HostName far.example.com\n');
  process.env.HOME = home; // ~ and relative Includes resolve against it, as for the user's own config
  services = await createServices({
    configDir: join(home, 'cfg'),
    secretStore: new MemorySecretStore(),
    watchProfiles: false,
    env: { ...process.env, HOME: home },
  });
});

afterAll(async () => {
  await services?.dispose();
  process.env.HOME = oldHome;
  rmSync(home, { recursive: true, force: true });
});

const preview = async (text: string) => {
  const r = await services.dispatcher.dispatch('import.preview', { source: { format: 'ssh_config', text } });
  if (!r.ok) throw new Error(r.message);
  return r.value as ImportResult;
};

describe('import of ssh_config text', () => {
  it('follows Include: relative to ~/.ssh, ~ paths, globs', async () => {
    const r = await preview(['Include conf.d/*.conf', 'Include ~/elsewhere.conf', 'Host here', '  HostName here.example.com', ''].join('\n'));
    const added = r.items.filter((i) => i.action === 'add').map((i) => `${i.kind} ${i.name}`);
    expect(added.sort()).toEqual(['forward work-L1100', 'host far', 'host here', 'host work']);
    expect(r.items.filter((i) => i.action === 'skip')).toEqual([]);
  });

  it('says which Include could not be read, and still imports the rest', async () => {
    const r = await preview(['Include missing.conf', 'Include ~/.ssh/a-directory', 'Host here', '  HostName here.example.com', ''].join('\n'));
    expect(r.items.filter((i) => i.action === 'add').map((i) => i.name)).toEqual(['here']);
    const skipped = r.items.filter((i) => i.action === 'skip');
    expect(skipped).toEqual([
      {
        kind: 'host',
        name: 'Include',
        action: 'skip',
        reason: `the ssh_config text: Include missing.conf matched no file (${join(home, '.ssh', 'missing.conf')} does not exist); its hosts were not read.`,
      },
      { kind: 'host', name: 'Include', action: 'skip', reason: `${join(home, '.ssh', 'a-directory')}: it is a directory, not an ssh_config file` },
    ]);
  });
});
