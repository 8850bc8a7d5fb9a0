// Names that are also Object.prototype's (issue 10 item 10): forwards, hosts,
// commands and options called constructor, toString, valueOf... are looked up
// as own properties, never found on the prototype. `burrow ls` used to say
// such forwards were running whenever any Burrow process published its status.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../../electron/api/services';
import { typeName } from '../../../electron/api/key-files';
import { RuntimeStatusPublisher } from '../../../electron/profiles/runtime-status';
import { MemorySecretStore } from '../../../electron/profiles/secrets';
import { SecretsFile } from '../../../electron/profiles/secrets-file';
import type { Result } from '../../../shared/contract';
import { runInProcess } from '../../support/cli-in-process';

const NAMES = ['constructor', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf'];
let dir: string;
let services: Services;
const ok = async (channel: string, input?: unknown) => {
  const r = (await services.dispatcher.dispatch(channel, input)) as Result<unknown>;
  if (!r.ok) throw new Error(`${channel}: ${r.message}`);
  return r.value;
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'burrow-names-'));
  services = await createServices({ configDir: dir, secretStore: new MemorySecretStore(), watchProfiles: false });
});

afterAll(async () => {
  await services?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('names of Object.prototype properties', () => {
  it('are saved, listed and removed like any other', async () => {
    for (const name of NAMES) await ok('host.add', { host: { name, hostname: '127.0.0.1', port: 2 } });
    // Remote forwards: `burrow ls` cannot probe a port for them, so only a status file can call them running.
    for (const name of NAMES)
      await ok('forward.add', {
        forward: { name, kind: 'remote', listen: { host: 'localhost', port: 0 }, target: { host: '127.0.0.1', port: 9 }, host: name },
      });
    await ok('forward.add', {
      forward: { name: 'busy', kind: 'remote', listen: { host: 'localhost', port: 0 }, target: { host: '127.0.0.1', port: 9 }, host: 'constructor' },
    });
    const state = (await ok('state.get')) as { forwards: { forward: { name: string }; state: { state: string } }[] };
    expect(state.forwards.map((f) => [f.forward.name, f.state.state])).toEqual([...NAMES, 'busy'].map((n) => [n, 'stopped']));
  });

  it("burrow ls: a status file that runs 'busy' does not make 'constructor' or 'toString' running", async () => {
    const publisher = new RuntimeStatusPublisher(dir, 'desktop');
    publisher.publish([['busy', { state: 'active', bound: { host: '127.0.0.1', port: 1100 }, destination: { status: 'untried' } }]]);
    try {
      const r = await runInProcess(dir, ['ls', '--json']);
      expect(r.code, r.err).toBe(0);
      const forwards = (JSON.parse(r.out) as { forwards: { name: string; state: string }[] }).forwards;
      expect(Object.fromEntries(forwards.map((f) => [f.name, f.state]))).toEqual({
        ...Object.fromEntries(NAMES.map((n) => [n, 'unknown'])),
        busy: 'active',
      });
    } finally {
      publisher.remove();
    }
  });

  it('burrow toString / help constructor / -o constructor=... are an unknown command, a command without help and an unknown option', async () => {
    const cmd = await runInProcess(dir, ['toString']);
    expect(cmd.code).toBe(2);
    expect(cmd.err).toMatch(/^burrow: unknown command 'toString'\. Commands: /);
    const help = await runInProcess(dir, ['help', 'constructor']);
    expect(help.code).toBe(2);
    expect(help.err).toMatch(/^burrow: no help for 'constructor': there is no such command\. Commands: /);
    const opt = await runInProcess(dir, ['add', 'host', 'x', '127.0.0.1', '-o', 'constructor=1']);
    expect(opt.code).not.toBe(0);
    expect(opt.err).toContain("Unknown option 'constructor' in -o constructor=1. Burrow understands: StrictHostKeyChecking");
  });

  it("secrets.json: forgetting the secret 'constructor' that is not there changes nothing", async () => {
    const file = new SecretsFile(join(dir, 'secrets-test.json'));
    await file.delete('constructor');
    expect(existsSync(file.path)).toBe(false);
    writeFileSync(file.path, '{"burrow:host:1":"c2VjcmV0"}');
    await file.delete('toString');
    expect(readFileSync(file.path, 'utf8')).toBe('{"burrow:host:1":"c2VjcmV0"}');
  });

  it('a key type named like a prototype property is shown as it is', () => {
    expect(typeName('constructor')).toBe('constructor');
    expect(typeName('ssh-ed25519')).toBe('ED25519');
  });
});
