// An ssh_config and what it includes are read within a bound: a file that never
// ends (/dev/zero), a FIFO nobody writes, or Include lines that multiply would
// hold the process up or exhaust its memory. Pasted text reaches this in the
// window's main process, so each is a skip line in the report, and nothing hangs.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSshConfig, parseSshConfigText } from '../../../electron/sshconfig/ssh-config';
import { importSshConfigText } from '../../../electron/profiles/ssh-config-import';

const LIMIT = 'more than 5000000 bytes, the most Burrow reads; not read. Remove that Include or make the file smaller';

describe('reading ssh_config within a bound', () => {
  it('Include /dev/zero in pasted text: a skip line, and the rest is imported', () => {
    const r = importSshConfigText('Host a\n  HostName a.example\nInclude /dev/zero\nHost b\n  HostName b.example\n');
    expect(r.problems).toEqual([`/dev/zero: with it the config and what it includes would hold ${LIMIT}`]);
    expect(r.hosts.map((h) => (h as { name: string }).name)).toEqual(['a', 'b']);
  });

  it('Include of a FIFO that nobody writes to does not wait for a writer', () => {
    const dir = mkdtempSync(join(tmpdir(), 'burrow-fifo-'));
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const r = parseSshConfigText(`Host a\n  HostName a.example\nInclude ${fifo}\n`);
    expect(r.problems).toEqual([]);
    expect(r.files).toEqual([fifo]);
  });

  it('Include lines that multiply (each file includes the next 20 times) stop at the bound', () => {
    const dir = mkdtempSync(join(tmpdir(), 'burrow-bomb-'));
    const levels = 6;
    const filler = `# ${'x'.repeat(4000)}\n`;
    for (let i = 0; i < levels; i++) {
      const next = join(dir, `f${i + 1}`);
      writeFileSync(join(dir, `f${i}`), filler + (i + 1 < levels ? `Include ${Array(20).fill(next).join(' ')}\n` : 'Host deep\n  HostName deep.example\n'));
    }
    // Unbounded, this is 20^5 reads of the last file: about 13 GB of text.
    const r = loadSshConfig(join(dir, 'f0'));
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toContain(LIMIT);
    expect(r.files.length).toBeLessThan(5_000_000 / 4000 + 2);
  });

  it('a main config file that never ends is refused with what to do', () => {
    expect(() => loadSshConfig('/dev/zero')).toThrow(`Cannot read the ssh config /dev/zero: with it the config and what it includes would hold ${LIMIT}.`);
    // /dev/null stays usable (`burrow connect -F /dev/null`, as with ssh).
    expect(loadSshConfig('/dev/null').problems).toEqual([]);
  });
});
