// Validate once: a host or forward that a request brings is checked by the
// dispatcher with the contract's schema, and by nothing after it (the
// repository checks only what joins the entries: names, hosts, jump lists).
// The rules of the domain still hold on every path, the JSON import included.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { z } from 'zod';
import { ForwardSchema, HostSchema } from '../../../shared/model';
import { createServices, type Services } from '../../../electron/api/services';
import { MemorySecretStore } from '../../../electron/profiles/secrets';
import { okCaller } from '../../support/dispatch';
import { runInProcess } from '../../support/cli-in-process';

let dir: string;
let services: Services;
const ok = okCaller(() => services);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'burrow-validate-once-'));
  services = await createServices({ configDir: dir, secretStore: new MemorySecretStore(), watchProfiles: false });
});

afterAll(async () => {
  await services?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

/** How many times `schema` checks a value while `fn` runs (nested checks included: a document's forwards each count). */
async function checksBy(schema: z.ZodType, fn: () => Promise<unknown>): Promise<number> {
  const internals = schema._zod;
  const run = internals.run;
  let n = 0;
  internals.run = (payload, ctx) => {
    n++;
    return run(payload, ctx);
  };
  try {
    await fn();
  } finally {
    internals.run = run;
  }
  return n;
}

const forward = (name: string, port: number) => ({
  name,
  host: 'h',
  kind: 'local' as const,
  listen: { host: '127.0.0.1', port },
  target: { host: 'db', port: 5432 },
});

describe('validate once', () => {
  it('a saved forward or host is checked once, at the dispatcher, however many the profile holds', async () => {
    await ok('host.add', { host: { name: 'h', hostname: '127.0.0.1' } });
    for (let i = 0; i < 20; i++) await ok('forward.add', { forward: forward(`f${i}`, 30000 + i) });

    expect(await checksBy(ForwardSchema, () => ok('forward.add', { forward: forward('new', 31000) }))).toBe(1);
    expect(await checksBy(ForwardSchema, () => ok('forward.update', { name: 'new', forward: { ...forward('new', 31001), group: 'g' } }))).toBe(1);
    expect(await checksBy(HostSchema, () => ok('host.add', { host: { name: 'h2', hostname: '127.0.0.2' } }))).toBe(1);
    expect(await checksBy(HostSchema, () => ok('host.update', { name: 'h2', host: { name: 'h2', hostname: '127.0.0.3' } }))).toBe(1);
    // Settings, removals: nothing re-checks the entries that did not change.
    expect(await checksBy(ForwardSchema, () => ok('settings.set', { startHidden: true }))).toBe(0);
    expect(await checksBy(ForwardSchema, () => ok('forward.remove', { name: 'new' }))).toBe(0);
    expect(services.repo.requireHost('h2').hostname).toBe('127.0.0.3');
    expect(services.repo.listForwards()).toHaveLength(20);
  });

  it('what joins the entries is still the repository’s to check: a forward through a host that does not exist is refused', async () => {
    const r = await services.dispatcher.dispatch('forward.add', { forward: { ...forward('lost', 32000), host: 'ghost' } });
    expect(r).toMatchObject({
      ok: false,
      code: 'VALIDATION',
      message: "Forward 'lost' goes through host 'ghost', which does not exist; add that host first or pick another.",
    });
    expect(services.repo.getForward('lost')).toBeUndefined();
  });

  it('a preset’s forward, made of the request’s pieces, is checked once too: a name with a space is refused', async () => {
    const r = await services.dispatcher.dispatch('forward.fromPreset', { presetId: 'pop3', host: 'h', name: 'my pop3' });
    expect(r).toMatchObject({ ok: false, code: 'VALIDATION' });
    expect(!r.ok && r.message).toContain("Forward name 'my pop3' may only contain letters, digits and . _ @ + -");
    expect(services.repo.getForward('my pop3')).toBeUndefined();
  });

  it('algorithm names ssh2 lacks are refused on every path: the window, the JSON import (window and CLI), burrow add and edit', async () => {
    const exported = {
      format: 'burrow-profiles',
      schemaVersion: 2,
      hosts: [{ name: 'bogus', hostname: '127.0.0.1', algorithms: { kex: ['bogus-kex-algo'] } }],
      forwards: [],
    };
    const unsupported = "Unsupported KexAlgorithms name 'bogus-kex-algo'";
    const viaWindow = await services.dispatcher.dispatch('host.add', { host: exported.hosts[0] });
    expect(viaWindow).toMatchObject({ ok: false, code: 'VALIDATION' });
    expect(!viaWindow.ok && viaWindow.message).toContain(unsupported);
    const imported = await ok('import.apply', { source: { format: 'json', text: JSON.stringify(exported) } });
    expect(imported.items).toMatchObject([{ kind: 'host', name: 'bogus', action: 'skip' }]);
    expect(imported.items[0].reason).toContain(unsupported);
    expect(services.repo.getHost('bogus')).toBeUndefined();

    const cliDir = mkdtempSync(join(tmpdir(), 'burrow-validate-once-cli-'));
    const file = join(cliDir, 'export.json');
    writeFileSync(file, JSON.stringify(exported));
    const cli = await runInProcess(cliDir, ['import', 'json', file]);
    expect(cli.code, cli.err).toBe(0);
    expect(cli.out).toContain(`skip     host    bogus: ${unsupported}`);
    const add = await runInProcess(cliDir, ['add', 'host', 'b', '127.0.0.1', '-o', 'KexAlgorithms=bogus-kex-algo']);
    expect(add.code).toBe(2);
    expect(add.err).toContain(unsupported);
    expect((await runInProcess(cliDir, ['add', 'host', 'fine', '127.0.0.1'])).code).toBe(0);
    const edit = await runInProcess(cliDir, ['edit', 'host', 'fine', '-o', 'KexAlgorithms=bogus-kex-algo']);
    expect(edit.code).toBe(2);
    expect(edit.err).toContain(unsupported);
    expect(JSON.parse((await runInProcess(cliDir, ['ls', '--json'])).out).hosts.map((h: { name: string }) => h.name)).toEqual(['fine']);
    rmSync(cliDir, { recursive: true, force: true });
  });
});
