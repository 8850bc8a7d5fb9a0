// The IPC contract between the renderer and the main process: every request
// channel with its input schema (zod) and output type, every event with its
// payload type, and the API object the preload (or the browser mode's
// WebSocket client) exposes. The dispatcher in electron/api/ implements it.
// Pure: no Node, no DOM.
import { z } from 'zod';
import type { ErrorCode, ErrorDetails } from './errors';
import type { ForwardKind } from './forward-spec';
import type { Asker, ForwardReason, ForwardState, ForwardStats, HealthResult, HostKeyQuestion, LiveConnection, LogEntry, SecretQuestion } from './tunnel-state';
import type { ShapeLimits } from './input-shape';
import { ForwardSchema, HostSchema, SettingsSchema, portSchema, socksPasswordProblem, type Forward, type Host, type Settings } from './model';

// ---------------------------------------------------------------- wire types (outputs and events)

export type { ForwardReason, ForwardState, ForwardStats, HealthResult, HostKeyQuestion, LiveConnection, LogEntry, SecretQuestion };

/** A saved forward with its live state and counters. */
export interface ForwardView {
  forward: Forward;
  state: ForwardState;
  stats: ForwardStats;
  /** "127.0.0.1:1100 -> localhost:110 via mail" */
  summary: string;
  /** The equivalent OpenSSH command line. */
  sshCommand: string;
}

/**
 * The answer to a request that saves a forward and may start it (forward.add
 * and forward.fromPreset with start, forward.update of a running forward).
 * Saving worked, so it is ok with the saved forward; when starting then did
 * not, `startError` says why (and `state` is failed with the reason once the
 * engine tried). Saving again would add a second forward: callers show the
 * failure and its fixes instead.
 */
export interface SavedForwardView extends ForwardView {
  startError?: { code: ErrorCode; message: string };
}

/** A saved host; secrets never leave the main process, only whether one is stored. */
export interface HostView {
  host: Host;
  hasStoredSecret: boolean;
}

export interface Snapshot {
  hosts: HostView[];
  forwards: ForwardView[];
  settings: Settings;
  /** Things to tell the person (a corrupt profile file moved aside, no secret store, ...). */
  warnings: { code: string; message: string }[];
  /** Whether passwords and passphrases can be stored safely on this machine. */
  secretStoreAvailable: boolean;
}

export interface HostTestResult {
  ok: boolean;
  /** Time to a ready SSH session, ms. */
  elapsedMs?: number;
  error?: { code: string; message: string };
}

export interface GroupResult {
  group: string;
  results: { name: string; ok: boolean; code?: ErrorCode; message?: string }[];
}

export type ImportAction = 'add' | 'exists' | 'conflict' | 'replace' | 'skip';

export interface ImportItem {
  kind: 'host' | 'forward';
  name: string;
  action: ImportAction;
  /** Why it is skipped or in conflict; for add/exists a short description. */
  reason?: string;
}

export interface ImportResult {
  items: ImportItem[];
  /** False for a preview. */
  applied: boolean;
}

export interface ExportResult {
  text: string;
  /** A file name to suggest in a save dialog. */
  fileName: string;
  /** What the export could not carry (format ssh: a SOCKS login OpenSSH has no place for). */
  notes?: string[];
}

export interface PresetView {
  id: string;
  label: string;
  kind: ForwardKind;
  /** The service port on the destination (absent for SOCKS). */
  port?: number;
  /** The local port a new forward would get right now (free on this machine). */
  localPort: number;
  /** "Forward POP3 to localhost:1100" */
  title: string;
}

/** The formats of private key files Burrow recognises by their first line. */
export type KeyFileFormat = 'openssh' | 'pem' | 'pkcs8' | 'putty';

/** A private key file found in ~/.ssh, for the host form's key file picker. */
export interface KeyFileCandidate {
  /** Absolute path (what the host's key file is set to). */
  path: string;
  /** As people write it: "~/.ssh/id_ed25519". */
  displayPath: string;
  format: KeyFileFormat;
  /** "ED25519", "RSA", "ECDSA", "DSA", "ED25519-SK", ...; absent when not cheaply known. */
  type?: string;
  /** Whether a passphrase protects it; absent when not cheaply known. */
  encrypted?: boolean;
  /** The public key next to it (same name + .pub), when there is one. */
  publicKey?: string;
  /** Why Burrow cannot use this key and what to do (PKCS#8, PuTTY PPK v3, FIDO sk-*); absent when it can. */
  warning?: string;
}

export interface KeyFileList {
  /** The folder that was looked at (~/.ssh). */
  dir: string;
  keys: KeyFileCandidate[];
  /** Why nothing could be listed (no such folder, no permission), said for a person. */
  problem?: string;
}

/** The algorithm lists a host can set, as the engine's resolver names them (electron/tunnels/algorithms.ts). */
export const ALGORITHM_KINDS = ['cipher', 'kex', 'hostKey', 'mac'] as const;
export type AlgorithmKind = (typeof ALGORITHM_KINDS)[number];

/** An OpenSSH algorithm value resolved by the engine: the plain list it offers. */
export interface ResolvedAlgorithmList {
  kind: AlgorithmKind;
  list: string[];
  /** How it was written: a whole list, or +, - or ^ applied to the default. */
  form: 'list' | '+' | '-' | '^';
}

export type PromptRequest =
  | { id: string; type: 'hostKey'; question: HostKeyQuestion; asker?: Asker; createdAt: number; expiresAt: number }
  | { id: string; type: 'secret'; question: SecretQuestion; asker?: Asker; createdAt: number; expiresAt: number };

// ---------------------------------------------------------------- input schemas

const forwardName = z.string({ error: 'Forward name is required.' }).min(1, { error: 'Forward name is required.' }).max(200);
const hostName = z.string({ error: 'Host name is required.' }).min(1, { error: 'Host name is required.' }).max(200);
const groupName = z.string({ error: 'Group is required.' }).min(1, { error: 'Group is required.' }).max(200);
const secretValue = z.string({ error: 'The secret must be text.' }).max(16_384, { error: 'The secret is too long.' });

const byForward = z.strictObject({ name: forwardName });

const byHost = z.strictObject({ name: hostName });
const byGroup = z.strictObject({ group: groupName });
const nothing = z.strictObject({}).optional();

const importSource = z.union(
  [
    z.strictObject({ format: z.literal('ssh_config'), text: z.string().max(5_000_000) }),
    z.strictObject({ format: z.literal('ssh_config'), path: z.string().min(1).max(4096) }),
    z.strictObject({ format: z.literal('ssh_config'), defaultPath: z.literal(true) }),
    z.strictObject({ format: z.literal('json'), text: z.string().max(5_000_000) }),
    z.strictObject({ format: z.literal('json'), path: z.string().min(1).max(4096) }),
  ],
  { error: "Import source must be { format: 'ssh_config', text | path | defaultPath: true } or { format: 'json', text | path }." },
);

export const PromptAnswerSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('hostKey'), decision: z.enum(['once', 'save', 'reject'], { error: 'Decision must be once, save or reject.' }) }),
    /** value null = cancel. */
    z.strictObject({ type: z.literal('secret'), value: secretValue.nullable() }),
  ],
  { error: "Answer must be { type: 'hostKey', decision } or { type: 'secret', value }." },
);
export type PromptAnswer = z.infer<typeof PromptAnswerSchema>;

/**
 * Why a SOCKS password sent with this forward cannot be saved, or null: it
 * needs a dynamic forward with a proxy user name, and must fit in SOCKS. The
 * forward form and the forward.add / forward.update schemas share it.
 */
export function socksSecretProblem(forward: { kind?: unknown; socksUser?: unknown }, secret: string): string | null {
  if (forward.kind !== 'dynamic' || typeof forward.socksUser !== 'string' || forward.socksUser.trim() === '') {
    return 'A SOCKS password needs a proxy user name on a SOCKS (dynamic) forward; give the user name too, or leave the password out.';
  }
  return socksPasswordProblem(secret);
}

/** Adds the SOCKS password problem (if any) as an issue on `secret`. */
const checkSocksSecret = (v: { forward: { kind?: unknown; socksUser?: unknown }; secret?: string | null }, ctx: z.core.$RefinementCtx) => {
  if (typeof v.secret !== 'string') return;
  const problem = socksSecretProblem(v.forward, v.secret);
  if (problem) ctx.addIssue({ code: 'custom', path: ['secret'], message: problem });
};

/** Settings fields without their defaults: what is left out stays as it is. */
export const SettingsPatchSchema = z.strictObject({
  launchAtLogin: SettingsSchema.shape.launchAtLogin.unwrap().optional(),
  startHidden: SettingsSchema.shape.startHidden.unwrap().optional(),
  notifications: SettingsSchema.shape.notifications.unwrap().optional(),
  keepalive: SettingsSchema.shape.keepalive.unwrap().optional(),
});

/** Declares a channel: its input schema and (as a type only) its output. */
const ch =
  <O>() =>
  <I extends z.ZodType>(input: I) => ({ input, output: undefined as unknown as O });

export const contract = {
  /** Everything the main window shows: hosts, forwards with states, settings. */
  'state.get': ch<Snapshot>()(nothing),

  /**
   * `secret`: the SOCKS password of a dynamic forward with a socksUser, stored
   * only where a safe store exists (else asked for when the forward starts).
   */
  'forward.add': ch<SavedForwardView>()(
    z.strictObject({ forward: ForwardSchema, start: z.boolean().optional(), secret: secretValue.optional() }).superRefine(checkSocksSecret),
  ),
  /**
   * Replaces the saved forward `name` (may rename it). A running forward is restarted with the new definition.
   * secret: a new SOCKS password; null forgets the stored one; left out keeps it.
   */
  'forward.update': ch<SavedForwardView>()(
    z.strictObject({ name: forwardName, forward: ForwardSchema, secret: secretValue.nullable().optional() }).superRefine(checkSocksSecret),
  ),
  'forward.remove': ch<{ removed: string }>()(byForward),
  'forward.start': ch<ForwardView>()(byForward),
  'forward.stop': ch<ForwardView>()(byForward),
  'forward.restart': ch<ForwardView>()(byForward),
  /** "Retry now" while reconnecting. */
  'forward.retryNow': ch<ForwardView>()(byForward),
  'forward.healthCheck': ch<HealthResult>()(byForward),
  'forward.logs': ch<LogEntry[]>()(z.strictObject({ name: forwardName, limit: z.number().int().min(1).max(10_000).optional() })),
  'forward.connections': ch<LiveConnection[]>()(byForward),
  'forward.closeConnection': ch<{ closed: boolean }>()(
    z.strictObject({ name: forwardName, connectionId: z.number({ error: 'Connection id must be a number.' }).int().nonnegative() }),
  ),
  /** A new forward from a preset through a saved host ("Forward POP3 to localhost:1100"). */
  'forward.fromPreset': ch<SavedForwardView>()(
    z.strictObject({
      presetId: z.string().min(1).max(64),
      host: hostName,
      name: z.string().min(1).max(64).optional(),
      destinationHost: z.string().min(1).max(255).optional(),
      /** The local port to use (the tray names it in its label); absent: the preset's, else the next free one. */
      localPort: portSchema('Local port').optional(),
      start: z.boolean().optional(),
    }),
  ),
  /** Is this local port free right now? For the form's port-in-use check. */
  'port.check': ch<{ port: number; free: boolean; suggestion?: number }>()(
    z.strictObject({
      port: z
        .number({ error: 'Port must be a number.' })
        .int()
        .min(1, { error: 'Port must be between 1 and 65535.' })
        .max(65535, { error: 'Port must be between 1 and 65535.' }),
      bindAddress: z.string().max(255).regex(/^\S*$/, { error: 'Bind address must not contain spaces.' }).optional(),
    }),
  ),

  'group.start': ch<GroupResult>()(byGroup),
  'group.stop': ch<GroupResult>()(byGroup),

  /** `secret`: the password or key passphrase to store (only where a safe store exists). */
  'host.add': ch<{ host: HostView; warnings: { code: string; message: string }[] }>()(z.strictObject({ host: HostSchema, secret: secretValue.optional() })),
  /** Replaces host `name` (may rename it; forwards follow). secret null forgets the stored one. */
  'host.update': ch<{ host: HostView; warnings: { code: string; message: string }[] }>()(
    z.strictObject({ name: hostName, host: HostSchema, secret: secretValue.nullable().optional() }),
  ),
  'host.remove': ch<{ removed: string }>()(byHost),
  /** Opens an SSH session to a saved host (or an unsaved one from the form) and closes it. */
  'host.test': ch<HostTestResult>()(
    z.union([z.strictObject({ name: hostName }), z.strictObject({ host: HostSchema, secret: secretValue.optional() })], {
      error: 'Give { name } of a saved host or { host } to test.',
    }),
  ),

  /** What import.apply would do; `replace` as there. */
  'import.preview': ch<ImportResult>()(z.strictObject({ source: importSource, replace: z.boolean().optional() })),
  /** Applies the import; `select` limits it to these host/forward names (the preview's checkboxes). */
  'import.apply': ch<ImportResult>()(
    z.strictObject({ source: importSource, select: z.array(z.string().max(200)).max(10_000).optional(), replace: z.boolean().optional() }),
  ),
  /** ssh: one forward (name it in `forwards`) as an `ssh` command line. */
  export: ch<ExportResult>()(
    z.strictObject({
      format: z.enum(['ssh_config', 'json', 'ssh'], { error: 'Format must be ssh_config, json or ssh.' }),
      forwards: z.array(forwardName).max(10_000).optional(),
    }),
  ),

  'prompt.answer': ch<{ accepted: boolean }>()(z.strictObject({ id: z.string().min(1).max(100), answer: PromptAnswerSchema })),
  /** Prompts waiting for a person (for a window opened after they were asked). */
  'prompt.pending': ch<PromptRequest[]>()(nothing),

  'settings.get': ch<Settings>()(nothing),
  /** Changes only the settings given. */
  'settings.set': ch<Settings>()(SettingsPatchSchema),

  'presets.list': ch<PresetView[]>()(nothing),

  /**
   * Resolves an algorithm value as OpenSSH writes it (a list, or +list, -list,
   * ^list; * and ? wildcards) against what the engine implements: the host
   * form's Algorithms fields. An unknown name is OPTION_INVALID, naming the supported ones.
   */
  'algorithms.resolve': ch<ResolvedAlgorithmList>()(
    z.strictObject({
      kind: z.enum(ALGORITHM_KINDS, { error: 'Kind must be cipher, kex, hostKey or mac.' }),
      value: z.string({ error: 'The value must be text.' }).trim().min(1, { error: 'The value is empty.' }).max(4000),
    }),
  ),

  /** Private key files in ~/.ssh (by their first line), for the host form's key file picker. */
  'keys.list': ch<KeyFileList>()(nothing),
} as const;

export type Contract = typeof contract;
export type Channel = keyof Contract;
/** What a caller sends (defaults may be left out). */
export type Input<C extends Channel> = z.input<Contract[C]['input']>;
/** What the handler receives, after validation and defaults. */
export type ParsedInput<C extends Channel> = z.output<Contract[C]['input']>;
export type Output<C extends Channel> = Contract[C]['output'];
export const CHANNELS = Object.keys(contract) as Channel[];

// ---------------------------------------------------------------- results

export interface ValidationIssue {
  /** "forward.port", "host.auth.keyPath" */
  field: string;
  message: string;
}

export type Failure = { ok: false; code: ErrorCode; message: string; issues?: ValidationIssue[]; details?: ErrorDetails };

/**
 * What any request may hold, checked before its schema (shared/input-shape.ts):
 * room for the largest inputs above (5 MB of import text, 10,000 names) and the
 * deepest (host.test's algorithm lists), and not much more.
 */
export const REQUEST_LIMITS: ShapeLimits = {
  maxDepth: 16,
  maxArrayLength: 10_000,
  maxStringLength: 5_000_000,
  maxKeys: 100,
  maxKeyLength: 200,
  maxValues: 50_000,
  maxTotalChars: 12_000_000,
};

/** A failure lists at most this many issues (and says how many more there were). */
export const MAX_ISSUES = 5;
export type Result<T> = { ok: true; value: T } | Failure;

// ---------------------------------------------------------------- events (main -> renderer)

export interface Events {
  /** A forward's state changed (as it happens). */
  state: { name: string; state: ForwardState };
  /** One snapshot per second for all forwards; not sent while no window is visible. */
  stats: { time: number; stats: Record<string, ForwardStats> };
  /** A question that needs a person (host key, password, passphrase, one-time code). */
  prompt: PromptRequest;
  /** A prompt was answered (possibly in another window), timed out or was cancelled. */
  'prompt.closed': { id: string; reason: 'answered' | 'timeout' | 'cancelled' };
  /** A log line (all forwards). */
  log: LogEntry;
  /** Saved hosts, forwards or settings changed (here or in another process): call state.get again. */
  profiles: { source: 'local' | 'external' };
}
export type EventName = keyof Events;
export const EVENTS: readonly EventName[] = ['state', 'stats', 'prompt', 'prompt.closed', 'log', 'profiles'] as const;

// ---------------------------------------------------------------- the API the renderer gets

/**
 * What the preload exposes as window.burrow (and the browser mode's WebSocket
 * client builds the same way): built by shared/burrow-api.ts buildBurrowApi.
 */
export interface BurrowApi {
  /** Calls a channel: resolves with its Result, never rejects for a domain error (check `ok`); rejects for a channel the contract lacks. */
  invoke<C extends Channel>(channel: C, ...input: undefined extends Input<C> ? [input?: Input<C>] : [input: Input<C>]): Promise<Result<Output<C>>>;
  /** Subscribes to an event; the callback gets only the payload. Returns the unsubscribe. */
  on<E extends EventName>(event: E, cb: (payload: Events[E]) => void): () => void;
  /** What only the desktop app can do (native dialogs); absent in the browser mode. */
  readonly desktop?: DesktopApi;
}

/** The desktop app's extras on the preload object, each over its own IPC channel. */
export interface DesktopApi {
  /** Opens the system's file dialog in ~/.ssh to pick a private key: its path, or null when cancelled. */
  chooseKeyFile(): Promise<string | null>;
}
export const DESKTOP_METHODS = ['chooseKeyFile'] as const satisfies readonly (keyof DesktopApi)[];
export const desktopChannel = (m: keyof DesktopApi) => `burrow:desktop:${m}`;

/** The IPC channel names on the wire (prefixed so that nothing else collides). */
export const ipcChannel = (c: Channel) => `burrow:${c}`;
export const ipcEvent = (e: EventName) => `burrow:event:${e}`;

/** What the preload exposes on window: `window.burrow`. */
export const API_GLOBAL = 'burrow';
