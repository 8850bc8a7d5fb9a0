// Validation messages not covered in profiles-import.test.ts: each exact, each
// saying what is wrong and what to do.
import { describe, expect, it } from 'vitest';
import { parseExport } from '../../../electron/profiles/export';
import { ForwardSchema, HostSchema, ProfileDocumentSchema, SCHEMA_VERSION, SettingsSchema } from '../../../shared/model';

const msgs = (schema: { safeParse(v: unknown): { success: boolean; error?: { issues: Array<{ message: string }> } } }, v: unknown) =>
  schema.safeParse(v).error?.issues.map((i) => i.message) ?? [];
const fwd = { name: 'f', kind: 'local', listen: { host: '127.0.0.1', port: 1100 }, target: { host: 'm', port: 110 }, host: 'h' };
const host = { name: 'a', hostname: 'a' };

describe('validation messages', () => {
  it('socket paths', () => {
    expect(msgs(ForwardSchema, { ...fwd, listen: { path: ' ' } })).toEqual(['Listening socket is empty; give a file path or leave it out.']);
    expect(msgs(ForwardSchema, { ...fwd, target: { path: '' } })).toEqual(['Destination socket is empty; give a file path or leave it out.']);
    expect(msgs(ForwardSchema, { ...fwd, listen: { path: 5 } })).toEqual(['Listening socket must be a file path (got 5).']);
  });

  it('ciphers and algorithms', () => {
    expect(msgs(HostSchema, { ...host, algorithms: { ciphers: [] } })).toEqual([
      'The cipher list is empty; name at least one cipher, or leave the list out to use the defaults.',
    ]);
    expect(msgs(HostSchema, { ...host, algorithms: { ciphers: 'aes128-ctr' } })).toEqual([
      'Ciphers must be a list of cipher names, e.g. ["aes128-gcm@openssh.com"] (got "aes128-ctr").',
    ]);
    expect(msgs(HostSchema, { ...host, algorithms: 'fast' })).toEqual([
      'Algorithms must be an object with a list of ciphers, e.g. { "ciphers": ["aes128-gcm@openssh.com"] } (got "fast").',
    ]);
  });

  it('keepalive and auth that are not objects', () => {
    expect(msgs(HostSchema, { ...host, keepalive: 15 })).toEqual([
      'Keepalive must be an object with interval and countMax, e.g. { "interval": 15, "countMax": 3 } (got 15).',
    ]);
    expect(msgs(SettingsSchema, { keepalive: 'often' })).toEqual([
      'Keepalive must be an object with interval and countMax, e.g. { "interval": 15, "countMax": 3 } (got "often").',
    ]);
    expect(msgs(HostSchema, { ...host, auth: 'agent' })).toEqual([
      'Authentication must be an object with a method: agent, key, password or keyboard-interactive (got "agent").',
    ]);
  });

  it('lists: forwards, hosts, tags (and in an import file)', () => {
    expect(msgs(ProfileDocumentSchema, { schemaVersion: SCHEMA_VERSION, forwards: {} })).toEqual([
      'The profile file\'s "forwards" must be a list of forwards.',
    ]);
    expect(msgs(ProfileDocumentSchema, { schemaVersion: SCHEMA_VERSION, hosts: 'x' })).toEqual(['The profile file\'s "hosts" must be a list of hosts.']);
    expect(msgs(ForwardSchema, { ...fwd, tags: 'mail' })).toEqual(['Tags must be a list of words, e.g. ["mail", "work"] (got "mail").']);
    expect(() => parseExport(JSON.stringify({ format: 'burrow-profiles', schemaVersion: 1, hosts: [], forwards: {} }), 'profiles.json')).toThrow(
      'profiles.json: "hosts" and "forwards" must be lists; give a file made by \'burrow export --format json\'.',
    );
  });

  it('"must be text" and "must be a number"', () => {
    expect(
      msgs(ForwardSchema, {
        ...fwd,
        listen: { host: 5, port: 1080 },
        group: 3,
        notes: 7,
        kind: 'dynamic',
        target: undefined,
        socksUser: 1,
      }),
    ).toEqual(['Group must be text (got 3).', 'Notes must be text (got 7).', 'Proxy user name must be text (got 1).', 'Bind address must be text (got 5).']);
    expect(msgs(HostSchema, { name: 7, hostname: 6, user: 5, notes: false })).toEqual([
      'Host name must be text (got 7).',
      'Host name (address) must be text (got 6).',
      'User name must be text (got 5).',
      'Notes must be text (got false).',
    ]);
    expect(msgs(ForwardSchema, { ...fwd, name: null, tags: [3] })).toEqual(['Forward name must be text (got null).', 'Tag must be text (got 3).']);
    expect(msgs(ForwardSchema, { ...fwd, listen: { host: '127.0.0.1', port: '1100' }, target: { host: 'm', port: 'pop3' } })).toEqual([
      'Local port must be between 1 and 65535 (got "1100").',
      'Destination port must be between 1 and 65535 (got "pop3").',
    ]);
    expect(msgs(HostSchema, { ...host, knownHostsFile: 5 })).toEqual(['Known hosts file must be a file path (got 5).']);
  });

  it('Identities only, and key file paths', () => {
    expect(msgs(HostSchema, { ...host, auth: { method: 'key', keyPath: '~/.ssh/id_ed25519', identitiesOnly: 'yes' } })).toEqual([
      'Identities only must be true or false (got "yes").',
    ]);
    // One message for an empty key file path, not a second one saying it is missing.
    expect(msgs(HostSchema, { ...host, auth: { method: 'key', keyPath: '' } })).toEqual([
      'Key file is empty; give the path of a private key, e.g. ~/.ssh/id_ed25519.',
    ]);
    expect(msgs(HostSchema, { ...host, auth: { method: 'agent', keyPath: '  ' } })).toEqual([
      'Key file is empty; give the path of a private key, e.g. ~/.ssh/id_ed25519.',
    ]);
    expect(msgs(HostSchema, { ...host, auth: { method: 'key', keyPath: 5 } })).toEqual(['Key file must be a file path (got 5).']);
  });
});
