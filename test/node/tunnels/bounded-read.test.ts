// Files whose size Burrow does not control are read within a bound
// (bounded-read.ts): identity files, known_hosts, ssh_config. A device that
// never ends, a FIFO nobody writes to or a directory gets a message, never a
// hang or an exhausted memory.
import { afterAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileTooLarge, readBounded } from '../../../electron/tunnels/bounded-read';
import { readIdentity } from '../../../electron/tunnels/auth';
import { readKnownHosts } from '../../../electron/tunnels/known-hosts';
import { TunnelEngine } from '../../../electron/tunnels/engine';
import { cleanup, startSshd, type Sshd } from '../../support/sshd';
import { hostFor } from '../../support/hosts';

const dir = mkdtempSync(join(tmpdir(), 'burrow-bounded-'));
const fifo = join(dir, 'fifo');
execFileSync('mkfifo', [fifo]);

describe('readBounded', () => {
  it('reads a file up to the bound, and refuses one past it', () => {
    const file = join(dir, 'ten');
    writeFileSync(file, '0123456789');
    expect(readBounded(file, 10).toString()).toBe('0123456789');
    expect(() => readBounded(file, 9)).toThrow(FileTooLarge);
    expect(() => readBounded('/dev/zero', 1000)).toThrow('it holds more than 1000 bytes');
  });

  it('does not wait for a FIFO that nobody writes to, and says what else was wrong', () => {
    expect(readBounded(fifo, 1000).length).toBe(0);
    expect(() => readBounded(dir, 1000)).toThrow(expect.objectContaining({ code: 'EISDIR', message: 'it is a directory' }));
    expect(() => readBounded(join(dir, 'missing'), 1000)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });
});

describe('what reads through it', () => {
  it('-i /dev/zero: the identity file is refused with what to do', () => {
    expect(() => readIdentity('/dev/zero')).toThrow(
      'Cannot read identity file /dev/zero: it holds more than 65536 bytes, more than any private key. Check the path given with -i or IdentityFile.',
    );
    // A FIFO is read as empty, at once: no key in it.
    expect(() => readIdentity(fifo)).toThrow(`Identity file ${fifo} could not be read as a private key`);
  });

  it('UserKnownHostsFile=/dev/zero: refused with what to do; a FIFO knows nothing', () => {
    expect(() => readKnownHosts(['/dev/zero'])).toThrow(
      'The known_hosts file /dev/zero holds more than 67108864 bytes, more than Burrow reads. Check UserKnownHostsFile, or remove old entries (ssh-keygen -R).',
    );
    expect(readKnownHosts([fifo])).toEqual([]);
  });

  describe('against sshd', () => {
    let sshd: Sshd;
    const engine = new TunnelEngine();
    afterAll(async () => {
      await engine.shutdown();
      await cleanup(sshd);
    });

    it('a forward whose known_hosts never ends fails with the message instead of reading on', async () => {
      sshd = await startSshd();
      engine.add('kh', hostFor(sshd, { knownHostsFiles: ['/dev/zero'] }), {
        kind: 'local',
        listen: { host: '127.0.0.1', port: 0 },
        target: { host: '127.0.0.1', port: 9 },
      });
      await expect(engine.start('kh')).rejects.toThrow('The known_hosts file /dev/zero holds more than 67108864 bytes');
    });
  });
});
