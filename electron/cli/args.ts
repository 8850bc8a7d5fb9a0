// OpenSSH-style argument parsing: -X value, -Xvalue, grouped boolean flags (-Nv),
// and --long flags.
import { BurrowError } from '../../shared/errors';

export interface FlagSpec {
  /** Short flags that take a value, e.g. 'LRDiplFoJ'. */
  withValue: string;
  /** Short flags without a value, accepted (some ignored, as ssh's -N). */
  boolean: string;
  /** --long flags without a value. */
  long: string[];
  /** --long flags with a value. */
  longWithValue?: string[];
}

export interface ParsedArgs {
  flags: Array<[flag: string, value: string | true]>;
  positional: string[];
  /** For each positional, how many flags came before it (ssh keeps the first value given: order matters). */
  positionalAfter: number[];
}

export function parseArgs(argv: string[], spec: FlagSpec, command: string): ParsedArgs {
  const flags: ParsedArgs['flags'] = [];
  const positional: string[] = [];
  const positionalAfter: number[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      for (const p of argv.slice(i + 1)) {
        positionalAfter.push(flags.length);
        positional.push(p);
      }
      break;
    }
    if (a.startsWith('--')) {
      const [name, inline] = a.slice(2).split(/=(.*)/s, 2);
      if (spec.long.includes(name)) {
        if (inline !== undefined) throw new BurrowError('USAGE', `--${name} takes no value (got ${a}): write --${name} alone. See 'burrow ${command} --help'.`);
        flags.push([`--${name}`, true]);
      } else if (spec.longWithValue?.includes(name)) {
        const v = inline ?? argv[++i];
        if (v === undefined) throw new BurrowError('USAGE', `--${name} needs a value. See 'burrow ${command} --help'.`);
        flags.push([`--${name}`, v]);
      } else throw new BurrowError('USAGE', `Unknown flag --${name}. ${accepted(spec, command)}`);
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const f = a[j];
        if (spec.withValue.includes(f)) {
          const v = j + 1 < a.length ? a.slice(j + 1) : argv[++i];
          if (v === undefined) throw new BurrowError('USAGE', `-${f} needs a value. See 'burrow ${command} --help'.`);
          flags.push([`-${f}`, v]);
          break;
        }
        if (spec.boolean.includes(f)) flags.push([`-${f}`, true]);
        else throw new BurrowError('USAGE', `Unknown flag -${f}. ${accepted(spec, command)}`);
      }
      continue;
    }
    positionalAfter.push(flags.length);
    positional.push(a);
  }
  return { flags, positional, positionalAfter };
}

/** What a command accepts, for the message about a flag it does not: "'burrow ls' accepts --json, --help. See ...". */
export function accepted(spec: FlagSpec, command: string): string {
  const list = [
    ...[...spec.withValue].map((f) => `-${f} VALUE`),
    ...[...spec.boolean].map((f) => `-${f}`),
    ...(spec.longWithValue ?? []).map((f) => `--${f} VALUE`),
    ...spec.long.map((f) => `--${f}`),
  ];
  return `'burrow ${command}' accepts ${list.length ? list.join(', ') : 'no flags'}. See 'burrow ${command} --help'.`;
}

export function values(parsed: ParsedArgs, flag: string): string[] {
  return parsed.flags.filter(([f, v]) => f === flag && typeof v === 'string').map(([, v]) => v as string);
}

export function has(parsed: ParsedArgs, flag: string): boolean {
  return parsed.flags.some(([f]) => f === flag);
}
