// Reading OpenSSH client config files: the `ssh-config` package parses and
// computes; this adds what it lacks (Include, and the %h/%p/%r/~ tokens).
import { existsSync, readdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { homedir, hostname, userInfo } from 'node:os';
import { dirname, isAbsolute, join, basename } from 'node:path';
import SSHConfig from 'ssh-config';
import { BurrowError } from '../../shared/errors';
import { expandHome } from '../tunnels/home';
import { FileTooLarge, readBounded } from '../tunnels/bounded-read';

export const DEFAULT_SSH_CONFIG = join(homedir(), '.ssh', 'config');

export interface LoadedSshConfig {
  config: SSHConfig;
  /** Every file read, the main one first. */
  files: string[];
  /** Include patterns that matched no file, or files that could not be read. */
  problems: string[];
}

function globFiles(pattern: string): string[] {
  const dir = dirname(pattern);
  const base = basename(pattern);
  if (!/[*?]/.test(base)) return existsSync(pattern) ? [pattern] : [];
  const re = new RegExp(
    '^' +
      base
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.') +
      '$',
  );
  try {
    return readdirSync(dir)
      .filter((f) => re.test(f))
      .sort()
      .map((f) => join(dir, f));
  } catch {
    return [];
  }
}

/**
 * What one config and everything it includes may hold. A file that never ends
 * (Include /dev/zero) or Include lines that multiply (each file including the
 * next many times over) would otherwise hold the process up or exhaust its
 * memory: as a pasted import, in the window's main process.
 */
const MAX_SSH_CONFIG_BYTES = 5_000_000;
/** What each file read counts at least, so that Include lines of empty files cannot open files without end. */
const MIN_FILE_COST = 1024;

interface ReadBudget {
  left: number;
}

/** Reads `file` whole, counting it against the budget; throws with what was wrong. */
function readConfigFile(file: string, budget: ReadBudget): string {
  let data: Buffer;
  try {
    data = readBounded(file, budget.left);
  } catch (e) {
    if (e instanceof FileTooLarge) {
      budget.left = -1;
      throw new Error(
        `with it the config and what it includes would hold more than ${MAX_SSH_CONFIG_BYTES} bytes, the most Burrow reads; not read. Remove that Include or make the file smaller`,
      );
    }
    if ((e as NodeJS.ErrnoException).code === 'EISDIR') throw new Error('it is a directory, not an ssh_config file');
    throw e;
  }
  budget.left -= Math.max(data.length, MIN_FILE_COST);
  return data.toString('utf8');
}

/** The file's text with Include lines replaced by the included files, recursively. */
function expandIncludes(file: string, files: string[], problems: string[], depth: number, budget: ReadBudget): string {
  if (depth > 16) {
    problems.push(`${file}: Include nested too deeply (more than 16 levels); stopped there.`);
    return '';
  }
  // Past the bound, the first file over it has said so; the rest is not read.
  if (budget.left < 0) return '';
  let text: string;
  try {
    text = readConfigFile(file, budget);
  } catch (e) {
    problems.push(`${file}: ${(e as Error).message}`);
    return '';
  }
  files.push(file);
  return expandIncludeLines(text, file, files, problems, depth, budget);
}

/** `text` (read from `file`, a path or a label) with its Include lines replaced by the included files. */
function expandIncludeLines(text: string, file: string, files: string[], problems: string[], depth: number, budget: ReadBudget): string {
  return text
    .split(/\r?\n/)
    .map((line) => {
      const m = /^\s*Include\s*=?\s*(.+?)\s*$/i.exec(line);
      if (!m) return line;
      const out: string[] = [];
      for (const raw of m[1].split(/\s+/).map((s) => s.replace(/^"|"$/g, ''))) {
        const p = expandHome(raw);
        // Relative includes are relative to ~/.ssh, as in OpenSSH's user config.
        const pattern = isAbsolute(p) ? p : join(homedir(), '.ssh', p);
        const matches = globFiles(pattern);
        if (matches.length === 0 && !/[*?]/.test(pattern))
          problems.push(`${file}: Include ${raw} matched no file (${pattern} does not exist); its hosts were not read.`);
        for (const f of matches) out.push(expandIncludes(f, files, problems, depth + 1, budget));
      }
      return out.join('\n');
    })
    .join('\n');
}

export function loadSshConfig(file: string): LoadedSshConfig {
  if (!existsSync(file)) throw new BurrowError('USAGE', `The ssh config file ${file} does not exist. Check the path given with -F.`);
  const files: string[] = [];
  const problems: string[] = [];
  const budget = { left: MAX_SSH_CONFIG_BYTES };
  let main: string;
  try {
    main = readConfigFile(file, budget);
  } catch (e) {
    throw new BurrowError('USAGE', `Cannot read the ssh config ${file}: ${(e as Error).message}.`);
  }
  files.push(file);
  const text = expandIncludeLines(main, file, files, problems, 0, budget);
  let config: SSHConfig;
  try {
    config = SSHConfig.parse(text);
  } catch (e) {
    throw new BurrowError('USAGE', `Cannot parse the ssh config ${file}: ${(e as Error).message}.`);
  }
  return { config, files, problems };
}

/**
 * Parses ssh_config text that is not read from a file (pasted, or a chosen file's
 * contents): its Include lines are followed as in the user's config (relative
 * paths against ~/.ssh). `label` names the text in problems.
 */
export function parseSshConfigText(text: string, label = 'the ssh_config text'): LoadedSshConfig {
  const files: string[] = [];
  const problems: string[] = [];
  const expanded = expandIncludeLines(text, label, files, problems, 0, { left: MAX_SSH_CONFIG_BYTES - text.length });
  let config: SSHConfig;
  try {
    config = SSHConfig.parse(expanded);
  } catch (e) {
    throw new BurrowError('VALIDATION', `Cannot parse ${label}: ${(e as Error).message}.`);
  }
  return { config, files, problems };
}

export type ComputedHost = Record<string, string | string[]>;

/** The options for `host` with lowercase keys: first value wins, IdentityFile and forwards accumulate. */
export function computeHost(config: SSHConfig, host: string, user?: string): ComputedHost {
  const computed = blocksThatMayMatch(config, host).compute({ Host: host, User: user } as never, { ignoreCase: true } as never) as ComputedHost;
  const out: ComputedHost = {};
  for (const [k, v] of Object.entries(computed)) out[k.toLowerCase()] = v;
  return out;
}

/** Per parsed config: the sections every host needs (all but Host blocks of plain names), and the others by name. */
const sectionIndex = new WeakMap<SSHConfig, { always: number[]; byName: Map<string, number[]> }>();

/**
 * The config without the Host blocks that cannot match `host`: those whose
 * patterns are all plain names (no wildcard, no negation), none of them it.
 * ssh-config's compute builds a RegExp per pattern per block, so importing a
 * config of 1,000 hosts took 20 s; with this index it is linear.
 */
function blocksThatMayMatch(config: SSHConfig, host: string): SSHConfig {
  let index = sectionIndex.get(config);
  if (!index) {
    index = { always: [], byName: new Map() };
    for (const [i, s] of (config as unknown as Array<{ param?: string; value?: unknown }>).entries()) {
      const patterns = s.param?.toLowerCase() === 'host' ? words(s.value).flatMap((w) => w.split(',')) : [];
      if (patterns.length === 0 || !patterns.every(isPlainHostPattern)) index.always.push(i);
      else {
        for (const p of new Set(patterns.map((x) => x.toLowerCase()))) {
          const list = index.byName.get(p);
          if (list) list.push(i);
          else index.byName.set(p, [i]);
        }
      }
    }
    sectionIndex.set(config, index);
  }
  const keep = [...index.always, ...(index.byName.get(host.toLowerCase()) ?? [])].sort((a, b) => a - b);
  const out = new SSHConfig();
  for (const i of keep) out.push(config[i]);
  return out;
}

export interface TokenContext {
  /** The target host name (after HostName). */
  host: string;
  /** The name given on the command line / the alias. */
  alias: string;
  port: number;
  user: string;
  /** HostKeyAlias, when set (%k). */
  hostKeyAlias?: string;
}

/**
 * Expands ~ and the %-tokens OpenSSH expands in IdentityFile, UserKnownHostsFile,
 * IdentityAgent and the like (ssh_config(5) TOKENS: %% %C %d %h %i %k %L %l %n
 * %p %r %u); an unknown token is left as written.
 */
export function expandTokens(value: string, ctx: TokenContext): string {
  const local = hostname();
  const expanded = value.replace(/%(.)/g, (all, t: string) => {
    switch (t) {
      case 'h':
        return ctx.host;
      case 'n':
        return ctx.alias;
      case 'k':
        return ctx.hostKeyAlias ?? ctx.alias;
      case 'p':
        return String(ctx.port);
      case 'r':
        return ctx.user;
      case 'u':
        return userInfo().username;
      case 'i':
        return String(process.getuid?.() ?? userInfo().uid);
      case 'd':
        return homedir();
      case 'l':
        return local;
      case 'L':
        return local.split('.')[0];
      case 'C':
        // As ssh's connection hash: SHA-1 of %l%h%p%r, in hex.
        return createHash('sha1').update(`${local}${ctx.host}${ctx.port}${ctx.user}`).digest('hex');
      case '%':
        return '%';
      default:
        return all;
    }
  });
  return expandHome(expanded);
}

export function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

export function all(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

export interface ConfigBlock {
  kind: 'host' | 'match';
  /** Host patterns, or the Match criteria words. */
  patterns: string[];
}

function words(value: unknown): string[] {
  if (Array.isArray(value)) return value.map((v: { val: string }) => v.val);
  return typeof value === 'string' ? value.split(/\s+/).filter(Boolean) : [];
}

/** The Host and Match blocks of a parsed config, in order. */
export function configBlocks(config: SSHConfig): ConfigBlock[] {
  const out: ConfigBlock[] = [];
  for (const s of config as unknown as Array<{ param?: string; value?: unknown }>) {
    const p = s.param?.toLowerCase();
    if (p === 'host' || p === 'match') out.push({ kind: p, patterns: words(s.value) });
  }
  return out;
}

/** The config without its Match blocks (used where Match criteria cannot be evaluated). */
export function withoutMatchBlocks(config: SSHConfig): SSHConfig {
  return config.filter((s) => (s as { param?: string }).param?.toLowerCase() !== 'match') as SSHConfig;
}

/** A Host pattern that names one host (no wildcard, no negation). */
export function isPlainHostPattern(p: string): boolean {
  return !/[*?!]/.test(p);
}
