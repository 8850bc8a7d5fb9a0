// ssh_config import, JSON export -> import round trip, presets, validation messages.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportJson, exportSshCommand, exportSshConfig, parseExport } from '../../../electron/profiles/export';
import { hostProblems } from '../../../electron/profiles/host-rules';
import { ProfileRepository } from '../../../electron/profiles/repository';
import { NoSecretStore } from '../../../electron/profiles/secrets';
import { importSshConfigFile } from '../../../electron/profiles/ssh-config-import';
import { toHostConfig } from '../../../electron/profiles/to-engine';
import { parseForwardSpec } from '../../../shared/forward-spec';
import {
  ForwardSchema,
  HostSchema,
  ProfileDocumentSchema,
  SCHEMA_VERSION,
  SettingsSchema,
  forwardSpec,
  specEndpoints,
  parseForward,
  parseHost,
} from '../../../shared/model';
import { chooseLocalPort, findPreset, forwardFromPreset, preferredLocalPort } from '../../../shared/presets';

let home: string;
const oldHome = process.env.HOME;
beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'burrow-home-'));
  cpSync('test/fixtures/ssh-config', join(home, '.ssh'), { recursive: true });
  process.env.HOME = home; // relative Includes and ~ resolve against it
});
afterAll(() => {
  process.env.HOME = oldHome;
  rmSync(home, { recursive: true, force: true });
});

describe('ssh_config import', () => {
  it('reads Include, tokens, ProxyJump, forwards, Host * and reports Match and wildcard blocks', async () => {
    const incoming = importSshConfigFile(join(home, '.ssh', 'config'));
    expect(incoming.files).toEqual([join(home, '.ssh', 'config'), join(home, '.ssh', 'conf.d', 'bastion.conf')]);
    const repo = await ProfileRepository.open({ dir: join(home, 'cfg'), secrets: new NoSecretStore() });
    const dry = await repo.importProfiles(incoming, { dryRun: true });
    expect(dry.applied).toBe(false);
    expect(repo.listHosts()).toEqual([]);
    const report = await repo.importProfiles(incoming);
    const line = (name: string) => report.items.find((i) => i.name === name);

    const mail = repo.requireHost('mail');
    expect(mail).toMatchObject({ hostname: 'mail.mail.example.com', user: 'alice', port: 2222, keepalive: { interval: 30, countMax: 5 } });
    expect(mail.auth).toEqual({ method: 'key', keyPath: join(home, '.ssh', 'id_alice_mail.mail.example.com'), identitiesOnly: true });
    const db = repo.requireHost('db');
    expect(db).toMatchObject({
      hostname: '10.0.0.5',
      jump: ['bastion'],
      strictHostKeyChecking: 'accept-new',
      knownHostsFile: join(home, '.ssh', 'known_hosts_10.0.0.5'),
    });
    expect(db.user).toBeUndefined(); // the Match block's User is not applied
    expect(repo.requireHost('bastion')).toMatchObject({ hostname: 'bastion.example.com', user: 'jump' });

    expect(repo.listForwards().map((f) => [f.name, f.kind, f.listen, f.kind === 'dynamic' ? undefined : f.target, f.host])).toEqual([
      ['mail-L1100', 'local', { host: '127.0.0.1', port: 1100 }, { host: 'localhost', port: 110 }, 'mail'],
      ['mail-L1143', 'local', { host: '127.0.0.1', port: 1143 }, { host: 'localhost', port: 143 }, 'mail'],
      ['mail-D1080', 'dynamic', { host: '127.0.0.1', port: 1080 }, undefined, 'mail'],
      ['db-R9000', 'remote', { host: '0.0.0.0', port: 9000 }, { host: 'localhost', port: 9000 }, 'db'],
    ]);
    expect(line('Match host db exec true')).toMatchObject({ action: 'skip', reason: expect.stringMatching(/Match blocks are not imported/) });
    expect(line('Host *.internal')).toMatchObject({ action: 'skip', reason: expect.stringMatching(/wildcard-only block/) });
    expect(line('Host *')).toMatchObject({ action: 'skip' });
    expect(line('weird%name')).toMatchObject({ action: 'skip', reason: expect.stringMatching(/cannot be a Burrow host name/) });
    expect(line('legacy')).toMatchObject({ action: 'skip', reason: expect.stringMatching(/ProxyCommand/) });
    expect(line('mail')).toMatchObject({ action: 'add' });

    // Importing again: everything is already there.
    const again = await repo.importProfiles(importSshConfigFile(join(home, '.ssh', 'config')));
    expect(again.items.filter((i) => i.action === 'add')).toEqual([]);
    expect(again.items.find((i) => i.name === 'mail')!.action).toBe('exists');

    // The jump chain reaches the engine.
    const cfg = toHostConfig(db, { lookup: (n) => repo.getHost(n), settings: repo.getSettings() });
    expect(cfg.jump.map((j) => [j.alias, j.hostname, j.user])).toEqual([['bastion', 'bastion.example.com', 'jump']]);
    expect(cfg.serverAliveInterval).toBe(30);
  });
});

describe('export and import', () => {
  it('an export from schema 1 (flat forward endpoints) imports into the nested shape, nothing lost', async () => {
    const v1 = {
      format: 'burrow-profiles',
      schemaVersion: 1,
      hosts: [{ name: 'other', hostname: 'other.example.com', jump: [] }],
      forwards: [
        {
          name: 'pop3',
          kind: 'local',
          port: 1100,
          destinationHost: 'mail.example.com',
          destinationPort: 110,
          host: 'other',
          group: 'mail',
          tags: ['x'],
          notes: 'n',
        },
        { name: 'back', kind: 'remote', bindAddress: '', port: 9000, destinationSocket: '/run/app.sock', host: 'other', autostart: true },
        { name: 'socks', kind: 'dynamic', port: 1080, host: 'other', socksUser: 'alice' },
      ],
    };
    const repo = await ProfileRepository.open({ dir: join(home, 'import-v1'), secrets: new NoSecretStore() });
    const r = await repo.importProfiles(parseExport(JSON.stringify(v1)));
    expect(r.items.map((i) => `${i.action} ${i.kind} ${i.name}`)).toEqual(['add host other', 'add forward pop3', 'add forward back', 'add forward socks']);
    expect(repo.listForwards()).toEqual([
      {
        name: 'pop3',
        kind: 'local',
        listen: { host: '127.0.0.1', port: 1100 },
        target: { host: 'mail.example.com', port: 110 },
        host: 'other',
        autostart: false,
        group: 'mail',
        tags: ['x'],
        notes: 'n',
      },
      { name: 'back', kind: 'remote', listen: { host: '', port: 9000 }, target: { path: '/run/app.sock' }, host: 'other', autostart: true, tags: [] },
      { name: 'socks', kind: 'dynamic', listen: { host: '127.0.0.1', port: 1080 }, host: 'other', autostart: false, tags: [], socksUser: 'alice' },
    ]);
    // And back: today's export carries the nested shape and the current schema version.
    const out = exportJson(repo.document());
    expect(out.schemaVersion).toBe(SCHEMA_VERSION);
    expect(out.forwards).toEqual(repo.listForwards());
  });

  it('JSON round trip: identical entries exist, changed ones conflict, secrets never exported', async () => {
    const a = await ProfileRepository.open({ dir: join(home, 'rt-a'), secrets: new NoSecretStore() });
    await a.addHost(parseHost({ name: 'other', hostname: 'other.example.com', user: 'me', jump: [] }));
    await a.addHost(parseHost({ name: 'mail', hostname: 'mail.example.com', jump: ['other'], auth: { method: 'key', keyPath: '~/.ssh/id_ed25519' } }));
    await a.addForward(
      parseForward({
        name: 'pop3',
        kind: 'local',
        listen: { host: '127.0.0.1', port: 1100 },
        target: { host: 'mail.example.com', port: 110 },
        host: 'other',
        group: 'mail',
        tags: ['x'],
      }),
    );
    await a.addForward(
      parseForward({ name: 'sock', kind: 'local', listen: { host: '127.0.0.1', port: 8080 }, target: { path: '/run/app.sock' }, host: 'mail' }),
    );
    const text = JSON.stringify(exportJson(a.document()));
    expect(text).not.toContain('secretRef');

    const b = await ProfileRepository.open({ dir: join(home, 'rt-b'), secrets: new NoSecretStore() });
    const r1 = await b.importProfiles(parseExport(text));
    expect(r1.items.map((i) => `${i.action} ${i.kind} ${i.name}`)).toEqual(['add host other', 'add host mail', 'add forward pop3', 'add forward sock']);
    expect(b.document().hosts).toEqual(a.document().hosts);
    expect(b.document().forwards).toEqual(a.document().forwards);

    await b.replaceForward('pop3', parseForward({ ...b.requireForward('pop3'), listen: { host: '127.0.0.1', port: 1101 } }));
    const r2 = await b.importProfiles(parseExport(text));
    expect(r2.items.find((i) => i.name === 'pop3')).toEqual({
      kind: 'forward',
      name: 'pop3',
      action: 'conflict',
      reason: 'a saved forward of that name differs in listen; kept the saved one',
    });
    expect(b.requireForward('pop3').listen).toEqual({ host: '127.0.0.1', port: 1101 });
    const r3 = await b.importProfiles(parseExport(text), { replace: true });
    expect(r3.items.find((i) => i.name === 'pop3')!.action).toBe('replace');
    expect(b.requireForward('pop3').listen).toEqual({ host: '127.0.0.1', port: 1100 });

    expect(() => parseExport('{"hosts":[]}', 'x.json')).toThrow(
      'x.json is not a Burrow profile export (its "format" is not "burrow-profiles"); give a file made by \'burrow export --format json\'.',
    );
    expect(() => parseExport('nope', 'x.json')).toThrow(/x.json is not JSON/);
  });

  it('one forward as an ssh command line; hosts as an ssh_config fragment', async () => {
    const repo = await ProfileRepository.open({ dir: join(home, 'exp'), secrets: new NoSecretStore() });
    await repo.addHost(parseHost({ name: 'jump', hostname: 'bastion.example.com', user: 'j', port: 2200 }));
    await repo.addHost(parseHost({ name: 'other', hostname: 'other.example.com', user: 'me', jump: ['jump'], keepalive: { interval: 20, countMax: 2 } }));
    await repo.addForward(
      parseForward({
        name: 'pop3',
        kind: 'local',
        listen: { host: '127.0.0.1', port: 1100 },
        target: { host: 'mail.example.com', port: 110 },
        host: 'other',
      }),
    );
    const doc = repo.document();
    expect(exportSshCommand(repo.requireForward('pop3'), doc)).toBe(
      'ssh -N -L 127.0.0.1:1100:mail.example.com:110 -J j@bastion.example.com:2200 -o ServerAliveInterval=20 -o ServerAliveCountMax=2 me@other.example.com',
    );
    const frag = exportSshConfig(doc);
    // The jump by its exported alias, so that ssh reaches it with its own options (cli-wording.test.ts runs ssh through one).
    expect(frag).toContain('Host jump\n    HostName bastion.example.com\n    User j\n    Port 2200\n');
    expect(frag).toContain(
      'Host other\n    HostName other.example.com\n    User me\n    ServerAliveInterval 20\n    ServerAliveCountMax 2\n    ProxyJump jump\n',
    );
    expect(frag).toContain('    LocalForward 127.0.0.1:1100 mail.example.com:110');
  });
});

describe('presets', () => {
  it('POP3 in two steps: preset, then host -> localhost:1100, or the next free port', async () => {
    expect(preferredLocalPort(findPreset('pop3'))).toBe(1100);
    expect(preferredLocalPort(findPreset('postgres'))).toBe(5432);
    expect(preferredLocalPort(findPreset('https'))).toBe(1443);
    expect(preferredLocalPort(findPreset('imap'))).toBe(1143);
    expect(preferredLocalPort(findPreset('smtp'))).toBe(1587);
    const f = await forwardFromPreset(findPreset('pop3'), { host: 'other' }, () => true);
    expect(f).toMatchObject({
      name: 'pop3-other',
      kind: 'local',
      listen: { host: '127.0.0.1', port: 1100 },
      target: { host: 'localhost', port: 110 },
      host: 'other',
    });
    expect(await chooseLocalPort(findPreset('pop3'), (p) => p > 1101)).toBe(1102);
    expect(await chooseLocalPort(findPreset('pop3'), () => true, [1100])).toBe(1101);
    expect((await forwardFromPreset(findPreset('socks'), { host: 'o' }, () => true)).kind).toBe('dynamic');
    expect(() => findPreset('gopher')).toThrow(/No preset named 'gopher'. Presets: pop3, imap, smtp/);
  });
});

describe('validation messages', () => {
  const msgs = (schema: { safeParse(v: unknown): { success: boolean; error?: { issues: Array<{ message: string }> } } }, v: unknown) =>
    schema.safeParse(v).error?.issues.map((i) => i.message) ?? [];
  const fwd = { name: 'f', kind: 'local', listen: { host: '127.0.0.1', port: 1100 }, target: { host: 'm', port: 110 }, host: 'h' };

  it('Host fields', () => {
    expect(msgs(HostSchema, {})).toEqual(['Host name is required.', 'Host name (address) is required.']);
    expect(msgs(HostSchema, { name: 'my host', hostname: 'a b', port: 0, user: '', strictHostKeyChecking: 'maybe' })).toEqual([
      "Host name 'my host' may only contain letters, digits and . _ @ + - (starting with a letter or digit); for example 'db-prod'.",
      "Host name (address) 'a b' contains spaces; remove them.",
      'SSH port must be between 1 and 65535 (got 0).',
      'User name is required.',
      'Strict host key checking must be one of yes, accept-new, no, ask (got "maybe").',
    ]);
    expect(msgs(HostSchema, { name: 'a', hostname: 'a', port: 'x' })).toEqual(['SSH port must be between 1 and 65535 (got "x").']);
    expect(msgs(HostSchema, { name: 'a'.repeat(65), hostname: 'a' })).toEqual(['Host name is longer than 64 characters; shorten it.']);
    expect(msgs(HostSchema, { name: 'a', hostname: 'a', auth: { method: 'key' } })).toEqual([
      "Key file is required when the authentication method is 'key'; give the path of a private key, e.g. ~/.ssh/id_ed25519.",
    ]);
    expect(msgs(HostSchema, { name: 'a', hostname: 'a', auth: { method: 'magic' } })).toEqual([
      'Authentication method must be one of agent, key, password, keyboard-interactive (got "magic").',
    ]);
    expect(msgs(HostSchema, { name: 'a', hostname: 'a', keepalive: { interval: 1.5, countMax: 0 } })).toEqual([
      'Keepalive interval (seconds) must be a whole number from 0 to 86400 (got 1.5).',
      'Keepalive count must be a whole number from 1 to 1000 (got 0).',
    ]);
    // The schema knows the shape; which ciphers exist is the engine's to say (profiles/host-rules.ts).
    expect(msgs(HostSchema, { name: 'a', hostname: 'a', algorithms: { ciphers: ['rot13'] } })).toEqual([]);
    expect(hostProblems({ algorithms: { ciphers: ['rot13'] } }).map((p) => p.message)[0]).toMatch(/^Unsupported Ciphers name 'rot13'/);
    expect(msgs(HostSchema, { name: 'a', hostname: 'a', knownHostsFile: ' ' })).toEqual(['Known hosts file is empty; give a file path or leave it out.']);
    expect(msgs(HostSchema, { name: 'a', hostname: 'a', jump: 'b' })).toEqual(['Jump hosts must be a list of host names.']);
  });

  it('Forward fields', () => {
    const at = (port: unknown, host = '127.0.0.1') => ({ host, port });
    expect(msgs(ForwardSchema, { ...fwd, listen: at(70000) })).toEqual(['Local port must be between 1 and 65535 (got 70000).']);
    expect(msgs(ForwardSchema, { ...fwd, listen: at('80') })).toEqual(['Local port must be between 1 and 65535 (got "80").']);
    expect(msgs(ForwardSchema, { ...fwd, kind: 'remote', listen: at(-1) })).toEqual(['Remote port must be between 0 and 65535 (got -1).']);
    expect(msgs(ForwardSchema, { ...fwd, kind: 'remote', listen: at(0) })).toEqual([]);
    expect(msgs(ForwardSchema, { ...fwd, listen: { host: '127.0.0.1' } })).toEqual(['Local port is required (a number between 1 and 65535).']);
    expect(msgs(ForwardSchema, { ...fwd, listen: undefined })).toEqual([
      'Where the forward listens must be { "host": ..., "port": ... } or { "path": ... } (got missing).',
    ]);
    expect(msgs(ForwardSchema, { ...fwd, target: at(0, 'm') })).toEqual(['Destination port must be between 1 and 65535 (got 0).']);
    expect(msgs(ForwardSchema, { ...fwd, target: {} })).toEqual([
      'Destination host is required.',
      'Destination port is required (a number between 1 and 65535).',
    ]);
    expect(msgs(ForwardSchema, { ...fwd, target: undefined })).toEqual([
      'The destination must be { "host": ..., "port": ... } or { "path": ... } (got missing).',
    ]);
    expect(msgs(ForwardSchema, { ...fwd, kind: 'dynamic' })).toEqual([
      'A SOCKS (dynamic) forward has no destination (each connection names its own); remove the destination.',
    ]);
    expect(msgs(ForwardSchema, { ...fwd, target: { host: 'm', port: 1, path: '/s' } })).toEqual([
      'The destination: give either a socket path or a host and port, not both.',
    ]);
    expect(msgs(ForwardSchema, { ...fwd, listen: { path: '/l' }, target: { path: '/s' } })).toEqual([
      'A forward cannot go from a socket to a socket; one side must be a TCP port.',
    ]);
    expect(msgs(ForwardSchema, { name: 'f', kind: 'dynamic', listen: { path: '/l' }, host: 'h' })).toEqual([
      'A SOCKS (dynamic) forward listens on a TCP port, not a socket; give a port instead.',
    ]);
    expect(msgs(ForwardSchema, { ...fwd, listen: at(1, 'a b') })).toEqual(["Bind address 'a b' contains spaces; remove them."]);
    expect(msgs(ForwardSchema, { ...fwd, kind: 'tunnel' })[0]).toBe('Forward kind must be one of local, remote, dynamic (got "tunnel").');
    expect(msgs(ForwardSchema, { ...fwd, autostart: 'yes' })).toEqual(['Autostart must be true or false (got "yes").']);
    expect(msgs(ForwardSchema, { ...fwd, tags: ['a b'] })).toEqual(["Tag 'a b' contains spaces; remove them."]);
    expect(msgs(ForwardSchema, { ...fwd, notes: 'x'.repeat(2001) })).toEqual(['Notes is longer than 2000 characters; shorten it.']);
    expect(msgs(ForwardSchema, { ...fwd, host: undefined })).toEqual(['Host name is required.']);
    expect(msgs(ForwardSchema, { ...fwd, name: '-x' })[0]).toMatch(/^Forward name '-x' may only contain/);
  });

  it('Settings and the document', () => {
    expect(msgs(SettingsSchema, { launchAtLogin: 1, notifications: 'on' })).toEqual([
      'Launch at login must be true or false (got 1).',
      'Notifications must be true or false (got "on").',
    ]);
    const h = (name: string, jump: string[] = []) => ({ name, hostname: 'x', jump });
    expect(
      msgs(ProfileDocumentSchema, {
        schemaVersion: SCHEMA_VERSION,
        hosts: [h('a', ['a']), h('b', ['c']), h('c', ['b']), h('d', ['zz']), h('d')],
        forwards: [{ ...fwd, host: 'nope' }, fwd],
      }),
    ).toEqual([
      "There are two hosts named 'd'; rename one.",
      "Forward 'f' goes through host 'nope', which does not exist; add that host first or pick another.",
      "There are two forwards named 'f'; rename one.",
      "Forward 'f' goes through host 'h', which does not exist; add that host first or pick another.",
      "Host 'a' cannot be its own jump host; remove it from the jump list.",
      "The jump hosts of 'b' loop (b -> c -> b); break the loop.",
      "The jump hosts of 'c' loop (c -> b -> c); break the loop.",
      "Host 'd' jumps through 'zz', which does not exist; add that host first or remove it from the jump list.",
    ]);
    expect(msgs(ProfileDocumentSchema, { schemaVersion: 3 })).toEqual(['Schema version must be 2 (got 3).']);
  });

  it("Forward <-> ForwardSpec: a spec is a forward's endpoints as they are", () => {
    for (const [kind, text] of [
      ['local', '1100:mail.example.com:110'],
      ['local', '0.0.0.0:8080:/run/app.sock'],
      ['remote', '*:9000:localhost:9000'],
      ['dynamic', '[::1]:1080'],
      ['local', '/tmp/l.sock:db:5432'],
    ] as const) {
      const spec = parseForwardSpec(kind, text);
      expect(forwardSpec(ForwardSchema.parse({ name: 'f', host: 'h', ...specEndpoints(spec) }))).toEqual(spec);
    }
  });
});
