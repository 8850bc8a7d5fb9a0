// A host's algorithm lists (Ciphers, KexAlgorithms, HostKeyAlgorithms, MACs):
// the model keeps plain lists, the engine's resolver (electron/tunnels/algorithms.ts)
// says which names are real, through algorithms.resolve for the host form and
// in host.add / host.update, and the ssh_config import keeps them resolved.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Channel } from '../../../shared/contract';
import { ALGORITHMS } from '../../../electron/tunnels/algorithms';
import { createServices, type Services } from '../../../electron/api/services';
import { MemorySecretStore } from '../../../electron/profiles/secrets';
import { HostSchema, SCHEMA_VERSION, parseHost } from '../../../shared/model';
import { okCaller } from '../../support/dispatch';

let dir: string;
let services: Services;

const ok = okCaller(() => services);
const dispatch = (c: Channel, input: unknown) => services.dispatcher.dispatch(c, input);
const host = (name: string, algorithms: Record<string, string[]>) => ({ name, hostname: 'h.example.com', algorithms });

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'burrow-algorithms-'));
  services = await createServices({ configDir: dir, secretStore: new MemorySecretStore(), watchProfiles: false });
});

afterAll(async () => {
  await services?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('algorithms.resolve: the engine resolver for the host form', () => {
  it('resolves lists, +, -, ^ and wildcards against what ssh2 implements', async () => {
    expect(await ok('algorithms.resolve', { kind: 'kex', value: 'curve25519*' })).toEqual({
      kind: 'kex',
      list: ['curve25519-sha256@libssh.org', 'curve25519-sha256'],
      form: 'list',
    });
    expect(await ok('algorithms.resolve', { kind: 'kex', value: '+diffie-hellman-group14-sha1' })).toEqual({
      kind: 'kex',
      list: [...ALGORITHMS.kex.defaults, 'diffie-hellman-group14-sha1'],
      form: '+',
    });
    expect((await ok('algorithms.resolve', { kind: 'mac', value: '-hmac-sha1*' })).list).toEqual(
      ALGORITHMS.mac.defaults.filter((m) => !m.startsWith('hmac-sha1')),
    );
    expect((await ok('algorithms.resolve', { kind: 'hostKey', value: '^ssh-rsa' })).list[0]).toBe('ssh-rsa');
    expect((await ok('algorithms.resolve', { kind: 'cipher', value: ' aes256-ctr ' })).list).toEqual(['aes256-ctr']);
  });

  it('refuses unknown names with the supported ones, and bad input', async () => {
    const r = await dispatch('algorithms.resolve', { kind: 'kex', value: 'curve25519-sha256,sntrup761x25519-sha512@openssh.com' });
    expect(r).toMatchObject({
      ok: false,
      code: 'OPTION_INVALID',
      message: expect.stringContaining("Unsupported KexAlgorithms name 'sntrup761x25519-sha512@openssh.com'"),
    });
    expect(!r.ok && r.message).toContain('curve25519-sha256@libssh.org');
    expect(await dispatch('algorithms.resolve', { kind: 'rot13', value: 'x' })).toMatchObject({ ok: false, code: 'VALIDATION' });
    expect(await dispatch('algorithms.resolve', { kind: 'mac', value: '  ' })).toMatchObject({ ok: false, code: 'VALIDATION' });
  });
});

describe('host.add / host.update check the lists with the same resolver', () => {
  it('saves resolved lists and refuses names the engine does not implement, naming the field', async () => {
    const good = {
      kex: ['curve25519-sha256'],
      hostKey: ['ssh-ed25519', 'rsa-sha2-512'],
      mac: ['hmac-sha2-256-etm@openssh.com'],
      ciphers: ['aes128-gcm@openssh.com'],
    };
    const saved = await ok('host.add', { host: host('tuned', good) });
    expect(saved.host.host.algorithms).toEqual(good);
    expect(services.repo.getHost('tuned')?.algorithms).toEqual(good);

    const bad = await dispatch('host.update', { name: 'tuned', host: host('tuned', { ...good, mac: ['hmac-sha3-999'] }) });
    expect(bad).toMatchObject({
      ok: false,
      code: 'VALIDATION',
      issues: [{ field: 'host.algorithms.mac', message: expect.stringContaining("Unsupported MACs name 'hmac-sha3-999'") }],
    });
    expect(services.repo.getHost('tuned')?.algorithms).toEqual(good);
    expect(await dispatch('host.add', { host: host('other', { kex: ['nope'] }) })).toMatchObject({
      ok: false,
      code: 'VALIDATION',
      issues: [{ field: 'host.algorithms.kex' }],
    });
    expect(services.repo.getHost('other')).toBeUndefined();
  });

  it('the schema keeps the shape: lists of names, not empty', () => {
    expect(HostSchema.safeParse(host('x', { kex: [] })).error?.issues[0].message).toBe(
      'The KexAlgorithms list is empty; name at least one, or leave the list out to use the defaults.',
    );
    expect(HostSchema.safeParse({ name: 'x', hostname: 'h', algorithms: { mac: 'hmac-sha1' } }).error?.issues[0].message).toBe(
      'MACs must be a list of names, e.g. ["hmac-sha2-256-etm@openssh.com"] (got "hmac-sha1").',
    );
  });
});

describe('ssh_config import keeps KexAlgorithms, HostKeyAlgorithms and MACs', () => {
  it('resolved as ssh reads them; a name the engine lacks is left out with a note', async () => {
    const text = [
      'Host tuned-import',
      '  HostName tuned.example.com',
      '  KexAlgorithms curve25519-sha256,ecdh-sha2-nistp256',
      '  HostKeyAlgorithms +ssh-dss',
      '  MACs -hmac-sha1*',
      'Host odd-import',
      '  HostName odd.example.com',
      '  KexAlgorithms sntrup761x25519-sha512@openssh.com',
      '',
    ].join('\n');
    const r = await ok('import.apply', { source: { format: 'ssh_config', text } });
    expect(r.items.filter((i) => i.kind === 'host').map((i) => [i.name, i.action])).toEqual([
      ['tuned-import', 'add'],
      ['odd-import', 'add'],
    ]);
    expect(services.repo.getHost('tuned-import')?.algorithms).toEqual({
      kex: ['curve25519-sha256', 'ecdh-sha2-nistp256'],
      hostKey: [...ALGORITHMS.hostKey.defaults, 'ssh-dss'],
      mac: ALGORITHMS.mac.defaults.filter((m) => !m.startsWith('hmac-sha1')),
    });
    const odd = services.repo.getHost('odd-import')!;
    expect(odd.algorithms).toBeUndefined();
    expect(odd.notes).toBe(
      "KexAlgorithms sntrup761x25519-sha512@openssh.com not kept: Unsupported KexAlgorithms name 'sntrup761x25519-sha512@openssh.com' in 'sntrup761x25519-sha512@openssh.com'.",
    );
  });
});

describe('every path that saves a host checks the names (the rule lives in the repository)', () => {
  it('a JSON import with a name ssh2 lacks skips that host, with the reason, and saves the others', async () => {
    const text = JSON.stringify({
      format: 'burrow-profiles',
      schemaVersion: SCHEMA_VERSION,
      hosts: [host('bogus-json', { kex: ['bogus-kex-algo'] }), host('fine-json', { kex: ['curve25519-sha256'] })],
      forwards: [],
    });
    const preview = await ok('import.preview', { source: { format: 'json', text } });
    expect(preview.items.map((i) => [i.name, i.action])).toEqual([
      ['bogus-json', 'skip'],
      ['fine-json', 'add'],
    ]);
    expect(preview.items[0].reason).toContain("Unsupported KexAlgorithms name 'bogus-kex-algo'");
    await ok('import.apply', { source: { format: 'json', text } });
    expect(services.repo.getHost('bogus-json')).toBeUndefined();
    expect(services.repo.getHost('fine-json')?.algorithms).toEqual({ kex: ['curve25519-sha256'] });
  });

  it('the repository itself refuses them, whoever calls it (the command line saves through it)', async () => {
    await expect(services.repo.addHost(parseHost(host('direct', { mac: ['hmac-sha3-999'] })))).rejects.toMatchObject({
      code: 'VALIDATION',
      problems: [{ path: ['host', 'algorithms', 'mac'] }],
    });
    await services.repo.addHost(parseHost(host('direct', {})));
    const direct = services.repo.requireHost('direct');
    await expect(services.repo.replaceHost('direct', { ...direct, algorithms: { ciphers: ['rot13-cbc'] } })).rejects.toMatchObject({ code: 'VALIDATION' });
    expect(services.repo.getHost('direct')?.algorithms).toEqual({});
  });
});
