// The ssh_config import report: forwards of skipped hosts are listed as skipped, with their host's reason.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importSshConfigFile } from '../../../electron/profiles/ssh-config-import';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'burrow-import-report-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ssh_config import report', () => {
  it('lists every forward of a skipped host as skipped, saying why its host was skipped', () => {
    const file = join(dir, 'config');
    writeFileSync(
      file,
      [
        'Host legacy',
        '  ProxyCommand nc %h %p',
        '  LocalForward 1100 localhost:110',
        '  DynamicForward 1080',
        'Host weird%name',
        '  HostName x',
        '  RemoteForward 9000 localhost:9000',
        'Host inner',
        '  ProxyJump legacy',
        '  LocalForward 15432 db:5432',
        'Host ok',
        '  LocalForward 2000 localhost:20',
        '',
      ].join('\n'),
    );
    const r = importSshConfigFile(file);
    expect(r.forwards.map((f) => (f as { name: string }).name)).toEqual(['ok-L2000']);
    const forwards = (r.skipped ?? []).filter((i) => i.kind === 'forward');
    expect(forwards).toEqual([
      {
        kind: 'forward',
        name: 'legacy LocalForward 1100 localhost:110',
        action: 'skip',
        reason:
          "its host 'legacy' was skipped because it uses ProxyCommand, which Burrow does not run; use ProxyJump instead. Add the host in Burrow, then add this forward to it.",
      },
      {
        kind: 'forward',
        name: 'legacy DynamicForward 1080',
        action: 'skip',
        reason:
          "its host 'legacy' was skipped because it uses ProxyCommand, which Burrow does not run; use ProxyJump instead. Add the host in Burrow, then add this forward to it.",
      },
      {
        kind: 'forward',
        name: 'weird%name RemoteForward 9000 localhost:9000',
        action: 'skip',
        reason:
          "its host 'weird%name' was skipped because 'weird%name' cannot be a Burrow host name (letters, digits and . _ @ + - only); rename the Host in the ssh config to import it. Add the host in Burrow, then add this forward to it.",
      },
      {
        kind: 'forward',
        name: 'inner LocalForward 15432 db:5432',
        action: 'skip',
        reason:
          "its host 'inner' was skipped because its jump host 'legacy' could not be imported (see that entry). Add the host in Burrow, then add this forward to it.",
      },
    ]);
  });
});
