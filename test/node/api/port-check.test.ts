// port.check (issue 10 item 8): the forward form asks it as a person types, so
// it answers at once: a bind address this computer does not have is said to
// be one (instead of probing every port up to 65535), and the search for a
// free port to suggest is bounded.
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../../electron/api/services';
import { SUGGESTION_SEARCH } from '../../../electron/profiles/port-probe';
import { MemorySecretStore } from '../../../electron/profiles/secrets';
import type { Result } from '../../../shared/contract';

let dir: string;
let services: Services;
const check = (input: unknown) => services.dispatcher.dispatch('port.check', input) as Promise<Result<{ port: number; free: boolean; suggestion?: number }>>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'burrow-portcheck-'));
  services = await createServices({ configDir: dir, secretStore: new MemorySecretStore(), watchProfiles: false });
});

afterAll(async () => {
  await services?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

function listenOn(port: number, host = '127.0.0.1'): Promise<net.Server | null> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(null));
    s.listen({ port, host, exclusive: true }, () => resolve(s));
  });
}
const closeAll = (servers: net.Server[]) => Promise.all(servers.map((s) => new Promise((r) => s.close(r))));

/** Listeners on `count` consecutive ports on 127.0.0.1: the first port and the servers. */
async function busyRange(count: number): Promise<{ first: number; servers: net.Server[] }> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const first = 20_000 + Math.floor(Math.random() * 40_000);
    const servers: net.Server[] = [];
    for (let p = first; p < first + count; p++) {
      const s = await listenOn(p);
      if (!s) break;
      servers.push(s);
    }
    if (servers.length === count && (await listenOn(first + count).then(async (s) => (s ? (await closeAll([s]), true) : false)))) return { first, servers };
    await closeAll(servers);
  }
  throw new Error(`no ${count} free consecutive ports found`);
}

describe('port.check', () => {
  it('a bind address this computer does not have: said at once, no port search', async () => {
    // TEST-NET-1: never an address of this machine. Binding sends nothing on the network.
    const r = await check({ port: 8080, bindAddress: '192.0.2.7' });
    expect(r).toEqual({
      ok: false,
      code: 'BIND_FAILED',
      message: 'Cannot listen on 192.0.2.7:8080: 192.0.2.7 is not an address of this machine. Use 127.0.0.1, or an address this machine has.',
    });
    expect((await check({ port: 8080, bindAddress: '2001:db8::7' })).ok).toBe(false);
    // Twenty at once (the form while someone types) are all answered.
    const many = await Promise.all(Array.from({ length: 20 }, (_, i) => check({ port: 10_000 + i, bindAddress: '192.0.2.7' })));
    expect(many.every((m) => !m.ok && m.code === 'BIND_FAILED')).toBe(true);
  });

  it(`looks for a free port among the next ${SUGGESTION_SEARCH} only`, async () => {
    const { first, servers } = await busyRange(SUGGESTION_SEARCH + 1);
    try {
      expect(await check({ port: first })).toEqual({ ok: true, value: { port: first, free: false } });
      // One port less busy: the first free one after it is suggested.
      await new Promise((r) => servers.pop()!.close(r));
      expect(await check({ port: first })).toEqual({ ok: true, value: { port: first, free: false, suggestion: first + SUGGESTION_SEARCH } });
    } finally {
      await closeAll(servers);
    }
  });

  it('localhost, every address (*) and loopback literals are checked where a forward would listen', async () => {
    const s = (await listenOn(0))!;
    const port = (s.address() as net.AddressInfo).port;
    try {
      for (const bindAddress of [undefined, '127.0.0.1', 'localhost', 'LOCALHOST']) {
        const r = await check({ port, bindAddress });
        expect(r.ok && r.value.free, String(bindAddress)).toBe(false);
      }
      const any = await check({ port, bindAddress: '*' });
      expect(any.ok && any.value.free).toBe(false);
    } finally {
      await closeAll([s]);
    }
    expect(await check({ port: 8080, bindAddress: 'a b' })).toMatchObject({ ok: false, code: 'VALIDATION', message: 'Bind address must not contain spaces.' });
  });
});
