// Algorithm lists as OpenSSH reads them (Ciphers, KexAlgorithms,
// HostKeyAlgorithms, MACs): a list replaces the default, "+list" appends to it,
// "-list" removes from it, "^list" puts names first. Resolved here against
// ssh2's own default and supported lists, so that ssh2 only ever gets a plain
// list of names it implements (it throws "Unsupported algorithm" otherwise).
import { createRequire } from 'node:module';
import { BurrowError } from '../../shared/errors';
import type { AlgorithmKind } from '../../shared/contract';

interface Ssh2Constants {
  DEFAULT_CIPHER: string[];
  SUPPORTED_CIPHER: string[];
  DEFAULT_KEX: string[];
  SUPPORTED_KEX: string[];
  DEFAULT_SERVER_HOST_KEY: string[];
  SUPPORTED_SERVER_HOST_KEY: string[];
  DEFAULT_MAC: string[];
  SUPPORTED_MAC: string[];
}

// ssh2 decides at load time what this machine's crypto offers: ask it, not a copy.
// (A run-time require, so that bundlers leave ssh2 outside, as the app's build wants;
// on first use, so that commands that never connect, such as `burrow ls`, start fast.)
let constants: Ssh2Constants | undefined;
const ssh2Constants = () => (constants ??= createRequire(import.meta.url)('ssh2/lib/protocol/constants.js') as Ssh2Constants);

export type { AlgorithmKind };

function lists(option: string, defaults: keyof Ssh2Constants, supported: keyof Ssh2Constants) {
  return {
    option,
    get defaults(): readonly string[] {
      return ssh2Constants()[defaults];
    },
    get supported(): readonly string[] {
      return ssh2Constants()[supported];
    },
  };
}

export const ALGORITHMS: Record<AlgorithmKind, { option: string; readonly defaults: readonly string[]; readonly supported: readonly string[] }> = {
  cipher: lists('Ciphers', 'DEFAULT_CIPHER', 'SUPPORTED_CIPHER'),
  kex: lists('KexAlgorithms', 'DEFAULT_KEX', 'SUPPORTED_KEX'),
  hostKey: lists('HostKeyAlgorithms', 'DEFAULT_SERVER_HOST_KEY', 'SUPPORTED_SERVER_HOST_KEY'),
  mac: lists('MACs', 'DEFAULT_MAC', 'SUPPORTED_MAC'),
};

/** Compression (-C): ask for zlib (delayed until after login, as OpenSSH does), still accept none. */
export const COMPRESSION_ON = ['zlib@openssh.com', 'zlib', 'none'] as const;

function matcher(pattern: string): (name: string) => boolean {
  if (!/[*?]/.test(pattern)) return (name) => name === pattern;
  const re = new RegExp(
    '^' +
      pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.') +
      '$',
  );
  return (name) => re.test(name);
}

export interface ResolvedAlgorithms {
  list: string[];
  /** How the value was written: a whole list, or +/-/^ applied to the default. */
  form: 'list' | '+' | '-' | '^';
}

/**
 * Resolves an OpenSSH algorithm value against ssh2's lists. Names may use the
 * * and ? wildcards. Throws OPTION_INVALID for a name ssh2 does not implement
 * (listing those it does) and for a value that leaves nothing.
 */
export function resolveAlgorithms(kind: AlgorithmKind, value: string): ResolvedAlgorithms {
  const { option, defaults, supported } = ALGORITHMS[kind];
  const text = value.trim();
  const form = /^[+\-^]/.test(text) ? (text[0] as '+' | '-' | '^') : 'list';
  const names = (form === 'list' ? text : text.slice(1)).split(',').map((s) => s.trim());
  if (names.some((n) => n === '')) {
    throw new BurrowError('OPTION_INVALID', `Bad value '${value}' for ${option}: an empty name in the list. Separate names with commas, without spaces.`);
  }
  // Expand each name (or pattern) to what ssh2 implements, in the order given.
  const expanded: string[] = [];
  for (const n of names) {
    const hits = supported.filter(matcher(n));
    if (hits.length === 0 && form !== '-') {
      throw new BurrowError(
        'OPTION_INVALID',
        `Unsupported ${option} name '${n}' in '${value}'. Burrow (ssh2) supports: ${supported.join(', ')}. ` +
          `Write a list to replace the default, or start it with + to add to the default, - to remove from it, ^ to put names first.`,
      );
    }
    for (const h of hits) if (!expanded.includes(h)) expanded.push(h);
  }
  let list: string[];
  switch (form) {
    case 'list':
      list = expanded;
      break;
    case '+':
      list = [...defaults, ...expanded.filter((n) => !defaults.includes(n))];
      break;
    case '-':
      list = defaults.filter((n) => !names.some((p) => matcher(p)(n)));
      break;
    case '^':
      list = [...expanded, ...defaults.filter((n) => !expanded.includes(n))];
      break;
  }
  if (list.length === 0) {
    throw new BurrowError('OPTION_INVALID', `${option} '${value}' leaves no algorithm to offer. The default is: ${defaults.join(', ')}.`);
  }
  return { list, form };
}
