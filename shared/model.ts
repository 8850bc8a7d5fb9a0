// The saved-profile data model: hosts, forwards, settings and the stored
// document. The zod schemas are the one source of truth for the UI, the CLI and
// the store; every message names the field and says what to do.
// Pure: no Node, no DOM.
import { z } from 'zod';
import { BurrowError } from './errors';
import { FORWARD_KINDS, type Endpoint, type ForwardKind, type ForwardSpec, type TcpEndpoint, isUnix } from './forward-spec';

/** 2: forwards keep their endpoints nested ({ kind, listen, target }), as ForwardSpec does. */
export const SCHEMA_VERSION = 2;

/** Names are what people type after `burrow up`: no spaces, no shell metacharacters. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@+-]*$/;
export const NAME_MAX = 64;

export const AUTH_METHODS = ['agent', 'key', 'password', 'keyboard-interactive'] as const;
export const STRICT_HOST_KEY_CHECKING = ['yes', 'accept-new', 'no', 'ask'] as const;

// ---------------------------------------------------------------- field helpers

/** Text for a message, shortened: a message never carries a whole (possibly huge) input. */
export function clipped(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

/**
 * A value as a message shows it ("x", 5, a list of 3 items): short, and
 * without walking into lists or objects, so that no input (nested 5000 deep,
 * a BigInt, a cycle) can make describing it fail.
 */
export function described(input: unknown): string {
  if (input === undefined) return 'missing';
  if (input === null) return 'null';
  switch (typeof input) {
    case 'string':
      return JSON.stringify(clipped(input));
    case 'number':
    case 'boolean':
      return String(input);
    case 'bigint':
      return 'a BigInt';
    case 'object':
      if (Array.isArray(input)) return input.length === 0 ? 'an empty list' : `a list of ${input.length} item${input.length === 1 ? '' : 's'}`;
      return Object.getPrototypeOf(input) === Object.prototype || Object.getPrototypeOf(input) === null
        ? 'an object'
        : `a ${Object.prototype.toString.call(input).slice(8, -1)}`;
    default:
      return `a ${typeof input}`;
  }
}

/** Text input quoted for a message ('db prod'), shortened. */
const quoted = (input: unknown) => `'${clipped(String(input))}'`;

/** A required piece of text without whitespace (host names, user names). */
function word(label: string, max = 255) {
  return z
    .string({ error: (i) => (i.input === undefined ? `${label} is required.` : `${label} must be text (got ${described(i.input)}).`) })
    .trim()
    .min(1, { error: `${label} is required.` })
    .max(max, { error: `${label} is longer than ${max} characters; shorten it.` })
    .regex(/^\S*$/, { error: (i) => `${label} ${quoted(i.input)} contains spaces; remove them.` });
}

export function nameSchema(what: 'Host' | 'Forward') {
  return z
    .string({ error: (i) => (i.input === undefined ? `${what} name is required.` : `${what} name must be text (got ${described(i.input)}).`) })
    .trim()
    .min(1, { error: `${what} name is required.` })
    .max(NAME_MAX, { error: `${what} name is longer than ${NAME_MAX} characters; shorten it.` })
    .regex(NAME_PATTERN, {
      error: (i) => `${what} name ${quoted(i.input)} may only contain letters, digits and . _ @ + - (starting with a letter or digit); for example 'db-prod'.`,
    });
}

export function portSchema(label: string, min = 1, missing = `${label} is required.`) {
  const range = `${label} must be between ${min} and 65535`;
  return z
    .number({ error: (i) => (i.input === undefined ? missing : `${range} (got ${described(i.input)}).`) })
    .int({ error: (i) => `${range} (got ${described(i.input)}).` })
    .min(min, { error: (i) => `${range} (got ${described(i.input)}).` })
    .max(65535, { error: (i) => `${range} (got ${described(i.input)}).` });
}

function wholeNumber(label: string, min: number, max: number) {
  const msg = (input: unknown) => `${label} must be a whole number from ${min} to ${max} (got ${described(input)}).`;
  return z
    .number({ error: (i) => msg(i.input) })
    .int({ error: (i) => msg(i.input) })
    .min(min, { error: (i) => msg(i.input) })
    .max(max, { error: (i) => msg(i.input) });
}

function oneOf<T extends readonly [string, ...string[]]>(label: string, values: T) {
  return z.enum(values, { error: (i) => `${label} must be one of ${values.join(', ')} (got ${described(i.input)}).` });
}

function flag(label: string) {
  return z.boolean({ error: (i) => `${label} must be true or false (got ${described(i.input)}).` });
}

function optionalText(label: string, max: number) {
  return z
    .string({ error: (i) => `${label} must be text (got ${described(i.input)}).` })
    .max(max, { error: `${label} is longer than ${max} characters; shorten it.` });
}

function path(label: string, empty = `${label} is empty; give a file path or leave it out.`) {
  return z
    .string({ error: (i) => (i.input === undefined ? `${label} is required.` : `${label} must be a file path (got ${described(i.input)}).`) })
    .trim()
    .min(1, { error: empty });
}

// ---------------------------------------------------------------- Host

export const KeepaliveSchema = z.object(
  {
    /** Seconds between keepalives; 0 turns keepalive off. */
    interval: wholeNumber('Keepalive interval (seconds)', 0, 86400),
    /** Unanswered keepalives before the connection counts as dead. */
    countMax: wholeNumber('Keepalive count', 1, 1000),
  },
  { error: (i) => `Keepalive must be an object with interval and countMax, e.g. { "interval": 15, "countMax": 3 } (got ${described(i.input)}).` },
);
export type Keepalive = z.infer<typeof KeepaliveSchema>;

export const AuthSchema = z
  .object(
    {
      method: oneOf('Authentication method', AUTH_METHODS),
      /** Private key file (method 'key'); ~ is allowed. */
      keyPath: path('Key file', 'Key file is empty; give the path of a private key, e.g. ~/.ssh/id_ed25519.').optional(),
      /** Offer only keyPath, not the agent's other keys (IdentitiesOnly). */
      identitiesOnly: flag('Identities only').optional(),
      /**
       * Where the password or key passphrase is kept in the secret store. Set by
       * the repository only: the secret itself never sits in the profile.
       */
      secretRef: z.string().min(1).optional(),
    },
    { error: (i) => `Authentication must be an object with a method: agent, key, password or keyboard-interactive (got ${described(i.input)}).` },
  )
  .superRefine((a, ctx) => {
    // An empty path has its own message above.
    if (a.method === 'key' && a.keyPath === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['keyPath'],
        message: "Key file is required when the authentication method is 'key'; give the path of a private key, e.g. ~/.ssh/id_ed25519.",
      });
    }
  });

/**
 * A list of algorithm names (KexAlgorithms, HostKeyAlgorithms, MACs) as the
 * engine resolved it: which names ssh2 implements is the engine's to say
 * (electron/tunnels/algorithms.ts resolveAlgorithms), so here only the shape.
 */
function algorithmList(label: string, option: string, example: string) {
  return z
    .array(word(label, 128), { error: (i) => `${option} must be a list of names, e.g. ["${example}"] (got ${described(i.input)}).` })
    .min(1, { error: `The ${option} list is empty; name at least one, or leave the list out to use the defaults.` });
}

export const AlgorithmsSchema = z.object(
  {
    ciphers: z
      // Names only: which ones ssh2 implements is the engine's to say (electron/profiles/host-rules.ts).
      .array(word('Cipher', 128), {
        error: (i) => `Ciphers must be a list of cipher names, e.g. ["aes128-gcm@openssh.com"] (got ${described(i.input)}).`,
      })
      .min(1, { error: 'The cipher list is empty; name at least one cipher, or leave the list out to use the defaults.' })
      .optional(),
    /** KexAlgorithms, in order of preference. */
    kex: algorithmList('Key exchange algorithm', 'KexAlgorithms', 'curve25519-sha256').optional(),
    /** HostKeyAlgorithms, in order of preference. */
    hostKey: algorithmList('Host key algorithm', 'HostKeyAlgorithms', 'ssh-ed25519').optional(),
    /** MACs, in order of preference. */
    mac: algorithmList('MAC', 'MACs', 'hmac-sha2-256-etm@openssh.com').optional(),
  },
  { error: (i) => `Algorithms must be an object with a list of ciphers, e.g. { "ciphers": ["aes128-gcm@openssh.com"] } (got ${described(i.input)}).` },
);
export type Algorithms = z.infer<typeof AlgorithmsSchema>;

export const HostSchema = z.object({
  name: nameSchema('Host'),
  hostname: word('Host name (address)'),
  port: portSchema('SSH port').default(22),
  /** Absent: the local user name, as ssh does. */
  user: word('User name', 128).optional(),
  auth: AuthSchema.default({ method: 'agent' }),
  /** Jump hosts by name, outermost first (ProxyJump). */
  jump: z.array(nameSchema('Host'), { error: 'Jump hosts must be a list of host names.' }).default([]),
  /** Absent: the default from settings. */
  keepalive: KeepaliveSchema.optional(),
  knownHostsFile: path('Known hosts file').optional(),
  strictHostKeyChecking: oneOf('Strict host key checking', STRICT_HOST_KEY_CHECKING).default('ask'),
  algorithms: AlgorithmsSchema.optional(),
  notes: optionalText('Notes', 2000).optional(),
  /** Other names of the same ssh_config Host line (`Host mail mail-tunnel`), written back by the ssh_config export. */
  aliases: z.array(nameSchema('Host'), { error: 'Host aliases must be a list of names.' }).optional(),
});
export type Host = z.infer<typeof HostSchema>;
/** What a form or the CLI sends: defaults may be left out. */
export type HostInput = z.input<typeof HostSchema>;

// ---------------------------------------------------------------- Forward

/** RFC 1929 carries the SOCKS user name and password in at most 255 bytes each. */
export const SOCKS_FIELD_MAX = 255;

function utf8Length(s: string): number {
  return new TextEncoder().encode(s).length;
}

/** Why a SOCKS password cannot be used, or null when it can. */
export function socksPasswordProblem(password: string): string | null {
  if (password === '') return 'The SOCKS password is empty; give one.';
  if (utf8Length(password) > SOCKS_FIELD_MAX) return `The SOCKS password is longer than ${SOCKS_FIELD_MAX} bytes, the most SOCKS can carry; shorten it.`;
  return null;
}

/** Where a forward listens; '' listens on every address, as OpenSSH does. */
const bindAddress = z
  .string({ error: (i) => `Bind address must be text (got ${described(i.input)}).` })
  .regex(/^\S*$/, { error: (i) => `Bind address ${quoted(i.input)} contains spaces; remove them.` });

/** Where a forward listens or connects: a TCP address and port, or a Unix socket path. */
function endpointSchema(side: 'Listening' | 'Destination', portLabel: string, minPort: number, socket = true) {
  const tcp = z.strictObject({
    host: side === 'Listening' ? bindAddress : word('Destination host'),
    port: portSchema(portLabel, minPort, `${portLabel} is required (a number between ${minPort} and 65535).`),
  });
  const unix = z.strictObject({ path: path(`${side} socket`) });
  const what = side === 'Listening' ? 'Where the forward listens' : 'The destination';
  // Told apart by `path`, so that a message names the field that is wrong rather than "matches neither".
  return z
    .custom<object>((v) => !!v && typeof v === 'object' && !Array.isArray(v), {
      error: (i) => `${what} must be { "host": ..., "port": ... } or { "path": ... } (got ${described(i.input)}).`,
    })
    .transform((v, ctx): Endpoint => {
      if ('path' in v && !socket)
        ctx.addIssue({ code: 'custom', message: 'A SOCKS (dynamic) forward listens on a TCP port, not a socket; give a port instead.' });
      else if ('path' in v && ('host' in v || 'port' in v))
        ctx.addIssue({ code: 'custom', message: `${what}: give either a socket path or a host and port, not both.` });
      else {
        const r = ('path' in v ? unix : tcp).safeParse(v);
        if (r.success) return r.data;
        for (const issue of r.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
      }
      return z.NEVER;
    }) as unknown as z.ZodType<Endpoint, Endpoint>;
}

/** What every forward has, whatever its kind. */
const forwardMeta = {
  name: nameSchema('Forward'),
  /** The saved Host it goes through, by name. */
  host: nameSchema('Host'),
  autostart: flag('Autostart').default(false),
  /** Opens one connection to the destination when the forward becomes active, to show at once whether it is reachable. Off unless set. */
  healthCheckAtStart: flag('Health check at start').optional(),
  group: word('Group', 64).optional(),
  tags: z.array(word('Tag', 64), { error: (i) => `Tags must be a list of words, e.g. ["mail", "work"] (got ${described(i.input)}).` }).default([]),
  notes: optionalText('Notes', 2000).optional(),
  /**
   * Dynamic forwards only: SOCKS5 clients must log in as this user (RFC 1929).
   * The password is a secret: it lives in the secret store, never here.
   */
  socksUser: word('Proxy user name', SOCKS_FIELD_MAX)
    .refine((u) => utf8Length(u) <= SOCKS_FIELD_MAX, {
      error: `Proxy user name is longer than ${SOCKS_FIELD_MAX} bytes, the most SOCKS can carry; shorten it.`,
    })
    .optional(),
  /** Where the SOCKS password is kept in the secret store. Set by the repository only. */
  socksSecretRef: z.string().min(1).optional(),
};

/**
 * A saved forward: its kind says which endpoints it has (as ForwardSpec).
 * `listen` is on this computer for local and dynamic forwards, on the server
 * for remote ones; `target` is where connections go (none for SOCKS).
 */
export const ForwardSchema = z
  .discriminatedUnion(
    'kind',
    [
      z.object({
        ...forwardMeta,
        kind: z.literal('local'),
        listen: endpointSchema('Listening', 'Local port', 1),
        target: endpointSchema('Destination', 'Destination port', 1),
      }),
      z.object({
        ...forwardMeta,
        kind: z.literal('remote'),
        listen: endpointSchema('Listening', 'Remote port', 0),
        target: endpointSchema('Destination', 'Destination port', 1),
      }),
      z.object({
        ...forwardMeta,
        kind: z.literal('dynamic'),
        listen: endpointSchema('Listening', 'Local port', 1, false) as z.ZodType<TcpEndpoint, TcpEndpoint>,
        target: z.undefined({ error: 'A SOCKS (dynamic) forward has no destination (each connection names its own); remove the destination.' }).optional(),
      }),
    ],
    { error: (i) => `Forward kind must be one of ${FORWARD_KINDS.join(', ')} (got ${described((i.input as { kind?: unknown } | undefined)?.kind)}).` },
  )
  .superRefine((f, ctx) => {
    if (f.socksUser !== undefined && f.kind !== 'dynamic') {
      ctx.addIssue({
        code: 'custom',
        path: ['socksUser'],
        message: 'A proxy user name only applies to SOCKS (dynamic) forwards; remove it or make this a dynamic forward.',
      });
    }
    if (f.kind !== 'dynamic' && isUnix(f.listen) && isUnix(f.target)) {
      ctx.addIssue({ code: 'custom', path: ['listen'], message: 'A forward cannot go from a socket to a socket; one side must be a TCP port.' });
    }
  });
export type Forward = z.infer<typeof ForwardSchema>;
export type ForwardInput = z.input<typeof ForwardSchema>;

// ---------------------------------------------------------------- Settings

export const DEFAULT_KEEPALIVE: Keepalive = { interval: 15, countMax: 3 };

export const SettingsSchema = z.object({
  launchAtLogin: flag('Launch at login').default(false),
  startHidden: flag('Start hidden').default(false),
  notifications: flag('Notifications').default(true),
  keepalive: KeepaliveSchema.default(DEFAULT_KEEPALIVE),
});
export type Settings = z.infer<typeof SettingsSchema>;
export const DEFAULT_SETTINGS: Settings = SettingsSchema.parse({});

// ---------------------------------------------------------------- the document

export const ProfileDocumentSchema = z
  .object({
    schemaVersion: z.literal(SCHEMA_VERSION, { error: (i) => `Schema version must be ${SCHEMA_VERSION} (got ${described(i.input)}).` }),
    hosts: z.array(HostSchema, { error: 'The profile file\'s "hosts" must be a list of hosts.' }).default([]),
    forwards: z.array(ForwardSchema, { error: 'The profile file\'s "forwards" must be a list of forwards.' }).default([]),
    settings: SettingsSchema.default(DEFAULT_SETTINGS),
  })
  .superRefine((doc, ctx) => {
    for (const p of referenceProblems(doc)) ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
  });
export type ProfileDocument = z.infer<typeof ProfileDocumentSchema>;

export function emptyDocument(): ProfileDocument {
  return { schemaVersion: SCHEMA_VERSION, hosts: [], forwards: [], settings: { ...DEFAULT_SETTINGS, keepalive: { ...DEFAULT_KEEPALIVE } } };
}

// ---------------------------------------------------------------- referential checks

export interface Problem {
  path: (string | number)[];
  message: string;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Cross-entry checks: unique names, forwards and jumps that name existing hosts, no jump loops. */
export function referenceProblems(doc: Pick<ProfileDocument, 'hosts' | 'forwards'>): Problem[] {
  const out: Problem[] = [];
  const hosts = new Map<string, Host>();
  doc.hosts.forEach((h, i) => {
    if (hosts.has(h.name)) out.push({ path: ['hosts', i, 'name'], message: `There are two hosts named '${h.name}'; rename one.` });
    hosts.set(h.name, h);
  });
  const forwardNames = new Set<string>();
  doc.forwards.forEach((f, i) => {
    if (forwardNames.has(f.name)) out.push({ path: ['forwards', i, 'name'], message: `There are two forwards named '${f.name}'; rename one.` });
    forwardNames.add(f.name);
    if (!hosts.has(f.host)) {
      out.push({
        path: ['forwards', i, 'host'],
        message: `Forward '${f.name}' goes through host '${f.host}', which does not exist; add that host first or pick another.`,
      });
    }
  });
  doc.hosts.forEach((h, i) => {
    h.jump.forEach((j, k) => {
      if (j === h.name) out.push({ path: ['hosts', i, 'jump', k], message: `Host '${h.name}' cannot be its own jump host; remove it from the jump list.` });
      else if (!hosts.has(j))
        out.push({
          path: ['hosts', i, 'jump', k],
          message: `Host '${h.name}' jumps through '${j}', which does not exist; add that host first or remove it from the jump list.`,
        });
    });
    const loop = jumpLoop(h.name, hosts);
    if (loop) out.push({ path: ['hosts', i, 'jump'], message: `The jump hosts of '${h.name}' loop (${loop.join(' -> ')}); break the loop.` });
  });
  return out;
}

function jumpLoop(start: string, hosts: Map<string, Host>): string[] | null {
  const walk = (name: string, trail: string[]): string[] | null => {
    const h = hosts.get(name);
    if (!h) return null;
    for (const j of h.jump) {
      if (j === name) continue; // reported as "own jump host"
      if (trail.includes(j)) return j === start ? [...trail, j] : null;
      const found = walk(j, [...trail, j]);
      if (found) return found;
    }
    return null;
  };
  return walk(start, [start]);
}

/** Why a host cannot be removed: the forwards and hosts that use it. Null when it is free. */
export function hostInUse(doc: Pick<ProfileDocument, 'hosts' | 'forwards'>, name: string): string | null {
  const forwards = doc.forwards.filter((f) => f.host === name).map((f) => f.name);
  const jumpers = doc.hosts.filter((h) => h.jump.includes(name)).map((h) => h.name);
  if (forwards.length === 0 && jumpers.length === 0) return null;
  const parts: string[] = [];
  if (forwards.length) parts.push(`is used by ${plural(forwards.length, 'forward')} (${forwards.join(', ')})`);
  if (jumpers.length) parts.push(`is the jump host of ${jumpers.join(', ')}`);
  return `Host '${name}' ${parts.join(' and ')}; remove or move ${forwards.length + jumpers.length === 1 ? 'it' : 'them'} first.`;
}

// ---------------------------------------------------------------- parsing with readable errors

/** Turns a zod error into messages; nested entries are prefixed with what they belong to. */
export function describeIssues(error: z.ZodError, root?: unknown): Problem[] {
  return error.issues.map((issue) => named({ path: issue.path as (string | number)[], message: issue.message }, root));
}

/** A problem of an entry of the document, its message prefixed with the entry ("Forward 'f1': ..."). */
function named(problem: Problem, root: unknown): Problem {
  const prefix = prefixFor(problem.path, root);
  // A message that already names its entry ("Forward 'f1' goes through ...") is not named twice.
  const already = prefix !== '' && problem.message.startsWith(prefix.slice(0, -2));
  return { path: problem.path, message: (already ? '' : prefix) + problem.message };
}

/**
 * The check of a document whose entries are valid each (validated where they
 * came in): throws a ValidationError naming every broken cross-reference.
 */
export function checkReferences(doc: Pick<ProfileDocument, 'hosts' | 'forwards'>): void {
  const problems = referenceProblems(doc);
  if (problems.length) throw new ValidationError(problems.map((p) => named(p, doc)));
}

function prefixFor(path: (string | number)[], root: unknown): string {
  if (path.length < 3 || (path[0] !== 'hosts' && path[0] !== 'forwards') || typeof path[1] !== 'number') return '';
  const list = (root as Record<string, unknown> | undefined)?.[path[0]];
  const entry = Array.isArray(list) ? (list[path[1]] as { name?: unknown } | undefined) : undefined;
  const what = path[0] === 'hosts' ? 'Host' : 'Forward';
  return typeof entry?.name === 'string' ? `${what} '${entry.name}': ` : `${what} #${path[1] + 1}: `;
}

/** Parses with a schema or throws BurrowError('VALIDATION') whose message lists every problem. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const problems = describeIssues(r.error, value);
  throw new ValidationError(problems);
}

export class ValidationError extends BurrowError {
  readonly problems: Problem[];
  constructor(problems: Problem[]) {
    super('VALIDATION', problems.map((p) => p.message).join(' '));
    this.name = 'ValidationError';
    this.problems = problems;
  }
}

export const parseHost = (v: unknown): Host => parseOrThrow(HostSchema, v);
export const parseForward = (v: unknown): Forward => parseOrThrow(ForwardSchema, v);
export const parseDocument = (v: unknown): ProfileDocument => parseOrThrow(ProfileDocumentSchema, v);

// ---------------------------------------------------------------- Forward -> ForwardSpec

/** The endpoints of a saved forward, as the engine takes them (the SOCKS login is added by profiles/to-engine.ts). */
export function forwardSpec(f: Forward): ForwardSpec {
  return f.kind === 'dynamic' ? { kind: f.kind, listen: f.listen } : { kind: f.kind, listen: f.listen, target: f.target };
}

/** A forward's endpoint fields, as parsed from a spec; validated with the rest of the forward. */
export type ForwardEndpoints = { kind: ForwardKind; listen: Endpoint; target?: Endpoint };

/** The endpoint fields of a forward for a spec; what is not a forward's (the SOCKS login) is left out. */
export function specEndpoints(spec: ForwardSpec): ForwardEndpoints {
  return spec.target ? { kind: spec.kind, listen: spec.listen, target: spec.target } : { kind: spec.kind, listen: spec.listen };
}

/** The TCP port a forward listens on; undefined for a Unix socket. */
export function listenPort(f: { listen: Endpoint }): number | undefined {
  return isUnix(f.listen) ? undefined : f.listen.port;
}

/** "127.0.0.1:1100 -> mail.example.com:110 via other": one line for lists and menus. */
export function describeForward(f: Forward): string {
  const listen = isUnix(f.listen) ? f.listen.path : `${f.listen.host || '*'}:${f.listen.port}`;
  const where = f.kind === 'remote' ? `server ${listen}` : listen;
  const target = f.kind === 'dynamic' ? 'SOCKS' : isUnix(f.target) ? f.target.path : `${f.target.host}:${f.target.port}`;
  return `${where} -> ${target} via ${f.host}`;
}
