// Fuzzing the dispatcher (issue 10): for every contract channel, at least 200
// generated requests (a valid request with one part replaced by something
// hostile, an extra hostile field, or a hostile request outright: nesting
// thousands deep, lists of up to a million items, BigInt, '__proto__' fields,
// sparse lists, cycles, Maps, NaN, huge text, names like 'constructor'), each
// delivered as Electron IPC and as burrow web's WebSocket deliver it. Required:
// dispatch() never rejects, nothing is thrown unhandled, each answer comes in
// bounded time and size, memory stays bounded, and config.json is a valid
// profile file after every request. Random but reproducible: BURROW_FUZZ_SEED
// replays a run; FUZZ_TRACE=file appends each request to that file before it
// is sent, and each channel's time (to find a request that hangs).
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../../electron/api/services';
import { MemorySecretStore } from '../../../electron/profiles/secrets';
import { CHANNELS, type Channel, type Input } from '../../../shared/contract';
import { ProfileDocumentSchema } from '../../../shared/model';
import { freePort } from '../../support/sshd';
import { viaIpc, viaWebSocket, type Delivered } from '../../support/transports';

const SEED = Number(process.env.BURROW_FUZZ_SEED ?? 20261204);
const PER_CHANNEL = 200;
/** Generous for a loaded 2-core machine: a guard against hangs, not a speed claim. */
const MAX_CALL_MS = 15_000;
const MAX_FAILURE_CHARS = 20_000;
const MAX_RSS_GROWTH = 1024 * 1024 * 1024;

// ---------------------------------------------------------------- reproducible randomness

let state = SEED >>> 0;
/** mulberry32 */
function random(): number {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)];

// ---------------------------------------------------------------- hostile values

/** A value as IPC carries it (`value`) and as JSON text for the WebSocket (`json`); absent where that transport cannot carry it. */
class Hostile {
  constructor(
    readonly label: string,
    readonly value?: () => unknown,
    readonly json?: () => string,
  ) {}
}
type Node = Hostile | null | boolean | number | string | undefined | Node[] | { [k: string]: Node };

function nested(n: number, open: string, close: string, wrap: (v: unknown) => unknown): Hostile {
  return new Hostile(
    `nested ${n} deep`,
    () => {
      let v: unknown = 'x';
      for (let i = 0; i < n; i++) v = wrap(v);
      return v;
    },
    () => `${open.repeat(n)}"x"${close.repeat(n)}`,
  );
}

const TRICKY_NAMES = ['constructor', 'toString', 'valueOf', 'hasOwnProperty', '__proto__', 'prototype', '__defineGetter__', 'isPrototypeOf'];

/** Each call: one hostile value, small ones often, heavy ones rarely. */
function hostile(): Hostile {
  const r = random();
  if (r < 0.1) return nested(int(17, 6000), '[', ']', (v) => [v]);
  if (r < 0.17) return nested(int(17, 3000), '{"a":', '}', (v) => ({ a: v }));
  if (r < 0.22) {
    const n = random() < 0.95 ? int(10_001, 30_000) : int(30_000, 1_000_000);
    return new Hostile(
      `${n} zeros`,
      () => new Array(n).fill(0),
      () => `[${'0,'.repeat(n - 1)}0]`,
    );
  }
  if (r < 0.3) {
    const n = random() < 0.95 ? int(2, 50) : int(10_001, 1_000_000);
    // A sparse list: holes over IPC; JSON has none (they become null).
    return new Hostile(
      `sparse list of ${n}`,
      () => Object.assign(new Array(n), { 1: 'x' }),
      n <= 50 ? () => `[${['null', '"x"', ...new Array(n - 2).fill('null')].join(',')}]` : undefined,
    );
  }
  if (r < 0.36) return new Hostile('BigInt', () => BigInt(int(0, 70000)) * (random() < 0.5 ? 1n : 10n ** 40n));
  if (r < 0.44) {
    const inner = pick(['{"polluted":true}', '{"name":"x"}', 'null', '[1]']);
    return new Hostile(
      "'__proto__' field",
      () => JSON.parse(`{"__proto__":${inner}}`),
      () => `{"__proto__":${inner}}`,
    );
  }
  if (r < 0.5) {
    // Spaces make it invalid for every name and address field: it can never be looked up in DNS.
    const n = random() < 0.9 ? int(256, 10_000) : int(4_000_000, 6_000_000);
    return new Hostile(
      `text of ${n}`,
      () => 'x '.repeat(n >> 1),
      () => JSON.stringify('x '.repeat(n >> 1)),
    );
  }
  if (r < 0.55) {
    return new Hostile('cycle', () => {
      const o: Record<string, unknown> = { name: 'x' };
      o.self = o;
      o.list = [o];
      return o;
    });
  }
  if (r < 0.62) {
    const [label, make] = pick<[string, () => unknown]>([
      ['Map', () => new Map([['name', 'x']])],
      ['Set', () => new Set([1])],
      ['Date', () => new Date(0)],
      ['Uint8Array', () => new Uint8Array(8)],
      ['Error', () => new Error('x')],
      ['RegExp', () => /x/],
      ['NaN', () => NaN],
      ['Infinity', () => -Infinity],
      ['-0', () => -0],
    ]);
    return new Hostile(label, make);
  }
  if (r < 0.67) {
    const n = int(101, 3000);
    const text = `{${Array.from({ length: n }, (_, i) => `"k${i}":${i}`).join(',')}}`;
    return new Hostile(
      `${n} fields`,
      () => JSON.parse(text),
      () => text,
    );
  }
  if (r < 0.7) {
    const key = 'k'.repeat(int(201, 100_000));
    return new Hostile(
      'long field name',
      () => ({ [key]: 1 }),
      () => `{"${key}":1}`,
    );
  }
  // No text that could be a host name: the fuzz must not make DNS lookups (names like 'constructor' go in name fields only).
  const plain = pick<unknown>([null, true, false, 0, -1, 1.5, 1e308, 2 ** 53 + 1, 'x y', [], {}, [[]], { name: {} }]);
  return new Hostile(
    `plain ${JSON.stringify(plain)}`,
    () => structuredClone(plain),
    () => JSON.stringify(plain),
  );
}

const NOT_CARRIED = Symbol('not carried');

function toValue(n: Node): unknown {
  if (n instanceof Hostile) {
    if (!n.value) throw NOT_CARRIED;
    return n.value();
  }
  if (Array.isArray(n)) return n.map(toValue);
  if (n && typeof n === 'object') {
    const o: Record<string, unknown> = {};
    // defineProperty: a '__proto__' key stays a field, as JSON.parse and IPC deliver it.
    for (const [k, v] of Object.entries(n)) Object.defineProperty(o, k, { value: toValue(v), enumerable: true, writable: true, configurable: true });
    return o;
  }
  return n;
}

function toJson(n: Node): string | undefined {
  if (n instanceof Hostile) {
    if (!n.json) throw NOT_CARRIED;
    return n.json();
  }
  if (n === undefined) return undefined;
  if (Array.isArray(n)) return `[${n.map((x) => toJson(x) ?? 'null').join(',')}]`;
  if (n && typeof n === 'object') {
    const parts = Object.entries(n).flatMap(([k, v]) => {
      const j = toJson(v);
      return j === undefined ? [] : [`${JSON.stringify(k)}:${j}`];
    });
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(n);
}

function carried<T>(render: () => T): T | typeof NOT_CARRIED {
  try {
    return render();
  } catch (e) {
    if (e === NOT_CARRIED) return NOT_CARRIED;
    throw e;
  }
}

/** Every place in a plain value: [] is the whole of it. */
function pathsOf(v: unknown, path: (string | number)[] = []): (string | number)[][] {
  const out = [path];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...pathsOf(x, [...path, i])));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...pathsOf(x, [...path, k]));
  return out;
}

function setAt(root: Node, path: (string | number)[], value: Node): Node {
  if (path.length === 0) return value;
  let at = root as Record<string | number, Node>;
  for (const p of path.slice(0, -1)) at = at[p] as Record<string | number, Node>;
  at[path[path.length - 1]] = value;
  return root;
}

/** One generated request for a channel, built from its valid sample. */
function generate(sample: unknown): { node: Node; label: string } {
  const r = random();
  if (r < 0.2 || sample === undefined) {
    const h = hostile();
    return { node: h, label: `the request is ${h.label}` };
  }
  const node = structuredClone(sample) as Node;
  const paths = pathsOf(sample);
  if (r < 0.35) {
    // A name like 'constructor' where a name goes.
    const named = paths.filter((p) => ['name', 'host', 'group', 'presetId'].includes(String(p[p.length - 1])));
    if (named.length > 0) {
      const p = pick(named);
      const name = pick(TRICKY_NAMES);
      return { node: setAt(node, p, name), label: `${p.join('.')} = ${name}` };
    }
  }
  if (r < 0.5) {
    const objects = paths.filter((p) => {
      const v = p.reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], sample);
      return v !== null && typeof v === 'object' && !Array.isArray(v);
    });
    if (objects.length > 0) {
      const p = pick(objects);
      const h = hostile();
      const key = random() < 0.3 ? '__proto__' : pick(['extra', 'name', ...TRICKY_NAMES]);
      const at = p.reduce<Node>((o, k) => (o as Record<string | number, Node>)[k], node) as Record<string, Node>;
      Object.defineProperty(at, key, { value: h, enumerable: true, writable: true, configurable: true });
      return { node, label: `${[...p, key].join('.')} added: ${h.label}` };
    }
  }
  const p = pick(paths);
  const h = hostile();
  return { node: setAt(node, p, h), label: `${p.join('.') || '(input)'} = ${h.label}` };
}

// ---------------------------------------------------------------- the services under test

let dir: string;
let services: Services;
let samples: { [C in Channel]: Input<C> };
const unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => unhandled.push(e);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'burrow-fuzz-'));
  const home = join(dir, 'home');
  const sshConfig = join(dir, 'ssh_config');
  writeFileSync(sshConfig, 'Host imported\n  HostName 127.0.0.1\n  Port 2\n');
  // Nothing listens here: every SSH connection the fuzz makes is refused at once, on loopback.
  const closed = await freePort();
  const [p1, p2] = [await freePort(), await freePort()];
  services = await createServices({
    configDir: join(dir, 'config'),
    secretStore: new MemorySecretStore(),
    watchProfiles: false,
    promptTimeoutMs: 1000,
    sshConfigPath: sshConfig,
    env: { ...process.env, HOME: home },
    engine: { reconnect: { baseDelayMs: 1000, maxDelayMs: 5000 }, connectionWaitMs: 300, channelTimeoutMs: 1000 },
  });
  const host = { name: 'h', hostname: '127.0.0.1', port: closed, strictHostKeyChecking: 'yes' as const, jump: [] };
  const forward = {
    name: 'f',
    kind: 'local' as const,
    listen: { host: '127.0.0.1', port: p1 },
    target: { host: '127.0.0.1', port: 9 },
    host: 'h',
    group: 'g',
    tags: ['t'],
  };
  expect((await services.dispatcher.dispatch('host.add', { host })).ok).toBe(true);
  expect((await services.dispatcher.dispatch('forward.add', { forward })).ok).toBe(true);
  const source = { format: 'ssh_config' as const, text: 'Host pasted\n  HostName 127.0.0.1\n  LocalForward 127.0.0.1:1 127.0.0.1:9\n' };
  samples = {
    'state.get': undefined,
    'forward.add': { forward: { ...forward, name: 'f2', listen: { host: '127.0.0.1', port: p2 } }, start: false },
    'forward.update': { name: 'f', forward: { ...forward, notes: 'n' } },
    'forward.remove': { name: 'f2' },
    'forward.start': { name: 'f' },
    'forward.stop': { name: 'f' },
    'forward.restart': { name: 'f' },
    'forward.retryNow': { name: 'f' },
    'forward.healthCheck': { name: 'f' },
    'forward.logs': { name: 'f', limit: 10 },
    'forward.connections': { name: 'f' },
    'forward.closeConnection': { name: 'f', connectionId: 1 },
    'forward.fromPreset': { presetId: 'pop3', host: 'h', name: 'pop', start: false },
    'port.check': { port: p1, bindAddress: '127.0.0.1' },
    'group.start': { group: 'g' },
    'group.stop': { group: 'g' },
    'host.add': { host: { ...host, name: 'h2', algorithms: { ciphers: ['aes128-ctr'], kex: ['curve25519-sha256'] } } },
    'host.update': { name: 'h', host: { ...host, notes: 'n' } },
    'host.remove': { name: 'h2' },
    'host.test': { host: { ...host, name: 't' } },
    'import.preview': { source },
    'import.apply': { source, select: ['pasted'], replace: false },
    export: { format: 'json', forwards: ['f'] },
    'prompt.answer': { id: 'nope', answer: { type: 'secret', value: null } },
    'prompt.pending': undefined,
    'settings.get': undefined,
    'settings.set': { keepalive: { interval: 15, countMax: 3 }, notifications: true },
    'presets.list': undefined,
    'algorithms.resolve': { kind: 'cipher', value: '+aes128-cbc' },
    'keys.list': undefined,
  } satisfies { [C in Channel]: Input<C> };
  process.on('unhandledRejection', onUnhandled);
  process.on('uncaughtException', onUnhandled);
});

afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  process.off('uncaughtException', onUnhandled);
  await services?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

let lastValidText = '';
function checkConfigFile(): string | null {
  const file = join(dir, 'config', 'config.json');
  if (!existsSync(file)) return null;
  const text = readFileSync(file, 'utf8');
  if (text !== lastValidText) {
    const parsed = ProfileDocumentSchema.safeParse(JSON.parse(text));
    if (!parsed.success) return `config.json is not a valid profile file: ${parsed.error.issues[0].message}`;
    lastValidText = text;
  }
  const aside = readdirSync(join(dir, 'config')).filter((n) => n.includes('.corrupt-'));
  return aside.length ? `config.json was found damaged and moved aside: ${aside.join(', ')}` : null;
}

describe('the dispatcher under generated hostile requests', () => {
  it(`answers ${PER_CHANNEL}+ requests per channel over IPC and the WebSocket, never rejecting (seed ${SEED})`, async () => {
    const rss0 = process.memoryUsage().rss;
    let peakRss = rss0;
    let slowest = { ms: 0, what: '' };
    const problems: string[] = [];
    const counts: Record<string, number> = {};

    const send = async (transport: string, what: string, run: () => Promise<Delivered | null>) => {
      if (process.env.FUZZ_TRACE) writeFileSync(process.env.FUZZ_TRACE, `${what} over ${transport}\n`, { flag: 'a' });
      const t0 = performance.now();
      let d: Delivered | null;
      try {
        d = await run();
      } catch (e) {
        problems.push(`${what} over ${transport}: dispatch() rejected: ${(e as Error)?.message ?? String(e)}`);
        return false;
      }
      const ms = performance.now() - t0;
      if (ms > slowest.ms) slowest = { ms, what: `${what} over ${transport}` };
      if (d === null) return false;
      if (ms > MAX_CALL_MS) problems.push(`${what} over ${transport}: took ${Math.round(ms)} ms`);
      if (!d.result.ok && d.answerChars > MAX_FAILURE_CHARS) problems.push(`${what} over ${transport}: a failure of ${d.answerChars} characters`);
      if (!d.result.ok && !(typeof d.result.message === 'string' && d.result.message.length > 0))
        problems.push(`${what} over ${transport}: a failure without a message`);
      const file = checkConfigFile();
      if (file) problems.push(`after ${what} over ${transport}: ${file}`);
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      return true;
    };

    for (const channel of CHANNELS) {
      const c0 = performance.now();
      counts[channel] = 0;
      for (let i = 0; counts[channel] < PER_CHANNEL && i < PER_CHANNEL * 3; i++) {
        const { node, label } = generate(samples[channel]);
        const what = `${channel} #${i} (${label})`;
        const value = carried(() => toValue(node));
        const json = carried(() => toJson(node));
        let delivered = false;
        if (value !== NOT_CARRIED) delivered = (await send('IPC', what, () => viaIpc(services.dispatcher, channel, value))) || delivered;
        if (json !== NOT_CARRIED) delivered = (await send('WebSocket', what, () => viaWebSocket(services.dispatcher, channel, json))) || delivered;
        if (delivered) counts[channel]++;
        if (problems.length > 20) break;
      }
      if (process.env.FUZZ_TRACE) writeFileSync(process.env.FUZZ_TRACE, `== ${channel}: ${Math.round(performance.now() - c0)} ms\n`, { flag: 'a' });
    }
    console.log(
      `fuzz seed ${SEED}: ${Object.values(counts).reduce((a, b) => a + b, 0)} requests; slowest ${Math.round(slowest.ms)} ms (${slowest.what.slice(0, 160)}); rss +${Math.round((peakRss - rss0) / 1048576)} MB at most`,
    );
    expect(problems, `seed ${SEED}`).toEqual([]);
    expect(unhandled.map(String)).toEqual([]);
    for (const channel of CHANNELS) expect(counts[channel], channel).toBeGreaterThanOrEqual(PER_CHANNEL);
    expect(peakRss - rss0).toBeLessThan(MAX_RSS_GROWTH);
    // Still answering, with the profiles intact.
    const state = await services.dispatcher.dispatch('state.get', undefined);
    expect(state.ok).toBe(true);
  }, 240_000);
});
