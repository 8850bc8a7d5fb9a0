// The window's changed-host-key warning is built from the typed details the
// host verifier attaches to HOSTKEY_CHANGED (shared/host-key-warning.ts), for a
// user file, the system-wide file and a key that changed during the session;
// the sentence for people and the warning's command are the same command.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { createHostVerifier } from '../../../electron/tunnels/host-verifier';
import { fingerprint } from '../../../electron/tunnels/known-hosts';
import { changedHostKeyWarning, removeKeyCommand } from '../../../shared/host-key-warning';
import type { BurrowError } from '../../../shared/errors';

const warningOf = (err: BurrowError) => (err.details?.kind === 'hostKeyChanged' ? changedHostKeyWarning(err.details) : null);
import { keygen } from '../../support/sshd';
import { testHost } from '../../support/hosts';

const dir = mkdtempSync(join(tmpdir(), 'burrow-hk-warning-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A new ed25519 key: its known_hosts text ("ssh-ed25519 AAAA...") and its wire-format blob. */
function newKey(name: string): { text: string; blob: Buffer } {
  const pub = readFileSync(`${keygen(join(dir, name))}.pub`, 'utf8').split(' ');
  return { text: `${pub[0]} ${pub[1]}`, blob: Buffer.from(pub[1], 'base64') };
}

function verify(verifier: ReturnType<typeof createHostVerifier>, key: Buffer): Promise<boolean> {
  return new Promise((resolve) => verifier.verifier(key, resolve));
}

const oldKey = newKey('old');
const newOne = newKey('new');

describe('the changed host key warning', () => {
  it('carries the host, key type, new fingerprint, file and line as data, and builds the removal command', async () => {
    const file = join(dir, 'known hosts');
    writeFileSync(file, `# a comment\nother.example.com ${newOne.text}\n[127.0.0.1]:2222 ${oldKey.text}\n`);
    const v = createHostVerifier(testHost({ port: 2222, knownHostsFiles: [file], globalKnownHostsFiles: [] }), undefined);
    expect(await verify(v, newOne.blob)).toBe(false);
    const err = v.refusal()!;
    expect(err.code).toBe('HOSTKEY_CHANGED');
    const w = warningOf(err);
    expect(err.message).toContain(`remove the old one with: ${w!.removeCommand}`);
    expect(w).toEqual({
      host: '[127.0.0.1]:2222',
      keyType: 'ssh-ed25519',
      fingerprint: fingerprint(newOne.blob),
      file,
      line: 3,
      systemWide: false,
      duringSession: false,
      removeCommand: `ssh-keygen -R '[127.0.0.1]:2222' -f '${file}'`,
    });
    // The command does what it says, with the file's space in its name.
    execFileSync('sh', ['-c', w!.removeCommand!], { stdio: 'ignore' });
    expect(readFileSync(file, 'utf8')).not.toContain(oldKey.text);
    expect(readFileSync(file, 'utf8')).toContain(`other.example.com ${newOne.text}`);
  });

  it('says the system-wide file is for an administrator: no removal command', async () => {
    const global = join(dir, 'ssh_known_hosts');
    writeFileSync(global, `db.example.com ${oldKey.text}\n`);
    const v = createHostVerifier(
      testHost({ hostname: 'db.example.com', port: 22, knownHostsFiles: [join(dir, 'empty')], globalKnownHostsFiles: [global] }),
      undefined,
    );
    expect(await verify(v, newOne.blob)).toBe(false);
    const w = warningOf(v.refusal()!);
    expect(w).toMatchObject({ host: 'db.example.com', file: global, line: 1, systemWide: true, fingerprint: fingerprint(newOne.blob) });
    expect(w?.removeCommand).toBeUndefined();
  });

  it('knows a key that changed during the session', async () => {
    const v = createHostVerifier(
      testHost({ port: 2200, knownHostsFiles: [join(dir, 'none')], globalKnownHostsFiles: [], strictHostKeyChecking: 'no' }),
      undefined,
    );
    expect(await verify(v, oldKey.blob)).toBe(true);
    expect(await verify(v, newOne.blob)).toBe(false);
    expect(v.refusal()?.code).toBe('HOSTKEY_CHANGED');
    expect(warningOf(v.refusal()!)).toEqual({ host: '[127.0.0.1]:2200', systemWide: false, duringSession: true });
  });

  it('quotes only what the shell needs', () => {
    expect(removeKeyCommand('mail.example.com', '/home/me/.ssh/known_hosts')).toBe('ssh-keygen -R mail.example.com -f /home/me/.ssh/known_hosts');
    expect(removeKeyCommand("[it's]:22", '/tmp/a b')).toBe(`ssh-keygen -R '[it'\\''s]:22' -f '/tmp/a b'`);
  });
});
