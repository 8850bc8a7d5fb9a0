// Input that used to take the process down (issue 10 items 6 and 7): nesting
// 5000 deep, BigInt, a 10-million-item list, cycles, '__proto__' fields, huge
// text. Each is answered with a Failure that says what was wrong, through the
// real dispatcher as IPC and the WebSocket deliver it, and the same nesting in
// config.json makes the file count as damaged (moved aside, the rest kept)
// instead of failing every `burrow` command.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher, type Handlers } from '../../../electron/api/dispatcher';
import { createServices, type Services } from '../../../electron/api/services';
import { MemorySecretStore } from '../../../electron/profiles/secrets';
import { CHANNELS, type Failure, type Result } from '../../../shared/contract';
import { ProfileDocumentSchema, described } from '../../../shared/model';
import { burrowDone } from '../../support/cli';
import { viaIpc, viaWebSocket, type Delivered } from '../../support/transports';

let dir: string;
let services: Services;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'burrow-hostile-'));
  services = await createServices({ configDir: join(dir, 'config'), secretStore: new MemorySecretStore(), watchProfiles: false });
});

afterAll(async () => {
  await services?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const deepJson = (n: number) => `${'['.repeat(n)}"x"${']'.repeat(n)}`;
function deepValue(n: number): unknown {
  let v: unknown = 'x';
  for (let i = 0; i < n; i++) v = [v];
  return v;
}
const forward = { name: 'f', kind: 'local', listen: { host: '127.0.0.1', port: 1100 }, target: { host: 'mail', port: 110 }, host: 'h' };

function failure(d: Delivered | null): Failure {
  expect(d, 'the transport carries it').not.toBeNull();
  const r = d!.result;
  if (r.ok) throw new Error(`unexpectedly succeeded: ${JSON.stringify(r.value).slice(0, 200)}`);
  return r;
}

describe('requests that used to crash the process are answered with a Failure', () => {
  it('forward.name nested 5000 arrays deep in a 10 KB WebSocket message', async () => {
    const input = JSON.stringify({ forward: { ...forward, name: '@' } }).replace('"@"', deepJson(5000));
    expect(input.length).toBeLessThan(11_000);
    const r = failure(await viaWebSocket(services.dispatcher, 'forward.add', input));
    expect(r.code).toBe('VALIDATION');
    expect(r.message).toBe('forward.name.0.0.0.0... is nested more than 16 levels deep; at most 16 are accepted.');
    expect(r.issues).toEqual([{ field: 'forward.name.0.0.0.0...', message: r.message }]);
    // The same process answers the next request.
    expect((await services.dispatcher.dispatch('forward.add', { forward })).ok).toBe(false);
    expect((await services.dispatcher.dispatch('state.get', undefined)).ok).toBe(true);
  });

  it('the same nesting over IPC, and a cycle (IPC carries those)', async () => {
    expect(failure(await viaIpc(services.dispatcher, 'forward.add', { forward: { ...forward, name: deepValue(5000) } })).message).toMatch(
      /^forward\.name\.0\.0\.0\.0\.\.\. is nested more than 16 levels deep/,
    );
    const cyclic: Record<string, unknown> = { ...forward };
    cyclic.name = cyclic;
    expect(failure(await viaIpc(services.dispatcher, 'forward.add', { forward: cyclic })).message).toMatch(
      /^forward\.name\.name\.name\.name\.name\.\.\. is nested more than 16 levels deep; at most 16 are accepted\./,
    );
  });

  it('BigInt, Map and Date over IPC', async () => {
    expect(failure(await viaIpc(services.dispatcher, 'forward.add', { forward: { ...forward, port: 1100n } })).message).toBe(
      'forward.port is a BigInt; send a plain number instead.',
    );
    expect(failure(await viaIpc(services.dispatcher, 'port.check', { port: 8080n })).message).toBe('port is a BigInt; send a plain number instead.');
    expect(failure(await viaIpc(services.dispatcher, 'forward.start', 5n)).message).toBe('The request is a BigInt; send a plain number instead.');
    expect(failure(await viaIpc(services.dispatcher, 'host.add', { host: new Map([['name', 'h']]) })).message).toBe(
      'host is a Map; send plain data instead (text, numbers, true/false, null, lists and objects).',
    );
    expect(failure(await viaIpc(services.dispatcher, 'forward.logs', { name: 'f', limit: new Date(0) })).message).toMatch(
      /^limit is a Date; send plain data instead/,
    );
  });

  it('host.add with jump: new Array(1e7) over IPC, and 2 million zeros over the WebSocket', async () => {
    const ipc = failure(await viaIpc(services.dispatcher, 'host.add', { host: { name: 'h', hostname: 'h', jump: new Array(1e7) } }));
    expect(ipc.message).toBe('host.jump is a list of 10000000 items; at most 10000 are accepted.');
    const zeros = `{"host":{"name":"h","hostname":"h","jump":[${'0,'.repeat(2e6)}0]}}`;
    const ws = await viaWebSocket(services.dispatcher, 'host.add', zeros);
    expect(failure(ws).message).toBe('host.jump is a list of 2000001 items; at most 10000 are accepted.');
    expect(ws!.answerChars).toBeLessThan(1000);
  });

  it('a failure lists at most 5 issues and says how many more there were', async () => {
    const r = failure(
      await viaWebSocket(services.dispatcher, 'host.add', JSON.stringify({ host: { name: 'h', hostname: 'h', jump: new Array(10_000).fill('not a name') } })),
    );
    expect(r.issues).toHaveLength(5);
    expect(r.issues![0]).toEqual({ field: 'host.jump.0', message: expect.stringContaining("Host name 'not a name' may only contain letters") });
    expect(r.message).toMatch(/ \(9995 more problems not shown\.\)$/);
  });

  it("'__proto__' fields, huge text and unknown channels", async () => {
    expect(failure(await viaWebSocket(services.dispatcher, 'forward.start', '{"__proto__":{"name":"f"}}')).message).toBe(
      "The request has a field named '__proto__', which is not accepted.",
    );
    const long = failure(await viaIpc(services.dispatcher, 'host.add', { host: { name: 'h', hostname: 'b c'.repeat(1e6) } }));
    expect(long.message).toContain("Host name (address) 'b cb cb cb c");
    expect(long.message.length).toBeLessThan(300);
    expect(failure(await viaIpc(services.dispatcher, 'forward.add', { forward: { ...forward, notes: 'x'.repeat(6e6) } })).message).toBe(
      'forward.notes is 6000000 characters long; at most 5000000 are accepted.',
    );
    expect(failure(await viaIpc(services.dispatcher, 10n as unknown as string, {})).message).toBe("Unknown request 'a BigInt'.");
    expect(failure(await viaWebSocket(services.dispatcher, 'toString', '{}')).message).toBe("Unknown request 'toString'.");
  });

  it('an import of more than 10,000 entries is refused before each one is validated and reported', async () => {
    const json = JSON.stringify({ format: 'burrow-profiles', schemaVersion: 1, hosts: new Array(1_000_000).fill({}) });
    const r = failure(await viaWebSocket(services.dispatcher, 'import.preview', JSON.stringify({ source: { format: 'json', text: json } })));
    expect(r.message).toBe('The import: hosts is a list of 1000000 items; at most 10000 are accepted.');
    const text = Array.from({ length: 10_001 }, (_, i) => `Host h${i}\n  HostName 127.0.0.1\n`).join('');
    const ssh = failure(await viaWebSocket(services.dispatcher, 'import.preview', JSON.stringify({ source: { format: 'ssh_config', text } })));
    expect(ssh.message).toBe(
      'The ssh_config text holds 10001 entries; Burrow imports at most 10000 at a time. Split it and import the parts one after the other.',
    );
    expect(failure(await viaIpc(services.dispatcher, 'import.apply', { source: { format: 'json', text: deepJson(5000) } })).message).toBe(
      'The import: 0.0.0.0.0.0... is nested more than 16 levels deep; at most 16 are accepted.',
    );
  });

  it('a handler that throws something unprintable, with an error reporter that throws too, still gives a Failure', async () => {
    const nasty = {
      toString: () => {
        throw new Error('no');
      },
    };
    const handlers = Object.fromEntries(
      CHANNELS.map((c) => [
        c,
        () => {
          throw nasty;
        },
      ]),
    ) as unknown as Handlers;
    const d = createDispatcher(handlers, {
      onInternalError: () => {
        throw new Error('reporter broke');
      },
    });
    const r = (await d.dispatch('state.get', undefined)) as Result<unknown>;
    expect(r).toEqual({ ok: false, code: 'INTERNAL', message: 'Something went wrong inside Burrow: an object' });
  });

  it('messages show a value without walking it', () => {
    expect(described(deepValue(100_000))).toBe('a list of 1 item');
    expect(described(10n ** 1000n)).toBe('a BigInt');
    expect(described('x'.repeat(1000))).toBe(`"${'x'.repeat(57)}..."`);
    expect(described({ a: 1 })).toBe('an object');
    expect(described(new Set())).toBe('a Set');
  });
});

describe('config.json holding data nested 5000 deep', () => {
  it('is moved aside as damaged, what validates is kept, and every command works', async () => {
    const cfg = join(dir, 'deep');
    const cli = (...args: string[]) => burrowDone(args, { env: { BURROW_CONFIG_DIR: cfg } });
    expect((await cli('add', 'host', 'h0', '127.0.0.1', '-p', '2')).code).toBe(0);
    expect((await cli('add', 'forward', 'f1', '-L', '3001:127.0.0.1:9', '--via', 'h0')).code).toBe(0);
    const file = join(cfg, 'config.json');
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    doc.forwards.push({ ...forward, name: '@', host: 'h0' });
    doc.window = '@';
    const damaged = JSON.stringify(doc).replaceAll('"@"', deepJson(5000));
    writeFileSync(file, damaged);

    const ls = await cli('ls');
    expect(ls.code, ls.stderr).toBe(0);
    expect(ls.stdout).toMatch(/f1 +127\.0\.0\.1:3001 -> 127\.0\.0\.1:9 via h0/);
    expect(ls.stderr).toContain(
      'could not be read (it is damaged: forwards.1.name.0.0.0... is nested more than 32 levels deep; at most 32 are accepted; window.0.0.0.0.0... is nested more than 32 levels deep; at most 32 are accepted)',
    );
    expect(ls.stderr).toContain('1 host(s) and 1 forward(s) were recovered; not recovered: forward #2: Forward name must be text (got a list of 1 item).');
    const aside = readdirSync(cfg).filter((n) => n.startsWith('config.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(cfg, aside[0]), 'utf8')).toBe(damaged);
    const now = JSON.parse(readFileSync(file, 'utf8'));
    // What is past the limit was cut off (the whole of it is in the file moved aside).
    expect(ProfileDocumentSchema.safeParse(now).success).toBe(true);
    expect(JSON.stringify(now.window)).toBe(`${'['.repeat(31)}null${']'.repeat(31)}`);

    const add = await cli('add', 'forward', 'f2', '-L', '3002:127.0.0.1:9', '--via', 'h0');
    expect(add.code, add.stderr).toBe(0);
    expect((await cli('ls')).stdout).toMatch(/f2 +127\.0\.0\.1:3002/);
  });
});
