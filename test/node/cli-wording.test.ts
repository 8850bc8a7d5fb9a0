// The burrow command says the right thing (issue 13 items 8-13, issue 11 item 4):
// ls with shared ports, ssh-config import aliases, exports ssh can use, IdentityFile
// tokens, editing a host's address, and exposed-listener warnings.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInProcess } from '../support/cli-in-process';
import { cleanup, freePort, startSshd, type Sshd } from '../support/sshd';
import { echoServer, type TestServer } from '../support/tcp';

let sshd: Sshd;
let echo: TestServer;
const dirs: string[] = [];

/** A fresh profile directory. */
function profiles(): string {
  const d = mkdtempSync(join(tmpdir(), 'burrow-cli-wording-'));
  dirs.push(d);
  return d;
}

beforeAll(async () => {
  sshd = await startSshd();
  echo = await echoServer();
});

afterAll(async () => {
  await echo?.close();
  await cleanup(sshd);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('burrow ls', () => {
  it('two stopped forwards on the same local port are both "stopped" (the probes do not collide)', async () => {
    const dir = profiles();
    const burrow = (...argv: string[]) => runInProcess(dir, argv);
    expect((await burrow('add', 'host', 'lab', `${sshd.user}@127.0.0.1:${sshd.port}`)).code).toBe(0);
    const port = await freePort();
    for (let i = 1; i <= 3; i++) expect((await burrow('add', 'forward', `f${i}`, '-L', `${port}:127.0.0.1:${echo.port}`, '--via', 'lab')).code).toBe(0);
    // Repeated: a collision depends on timing, so give it several chances to show.
    for (let round = 0; round < 5; round++) {
      const ls = await burrow('ls', '--json');
      expect(ls.code, ls.err).toBe(0);
      expect(JSON.parse(ls.out).forwards.map((f: { state: string }) => f.state)).toEqual(['stopped', 'stopped', 'stopped']);
    }
    const text = await burrow('ls');
    expect(text.out).not.toContain('in use');
  });
});
