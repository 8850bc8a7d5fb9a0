// What every profile command shares: --help, argument errors as exit 2 with
// the message, JSON or text output, and the profile store the app uses.
import { BurrowError, isBurrowError } from '../../shared/errors';
import { ProfileRepository } from '../profiles/repository';
import { configDir } from '../profiles/paths';
import { ForgetOnlySecretStore, secretsFilePath } from '../profiles/secrets-file';
import { has, parseArgs, values, type FlagSpec, type ParsedArgs } from './args';
import { exitCodeFor } from './exit-codes';
import type { CliIO } from './io';

export type Run = (argv: string[], io: CliIO) => Promise<number>;

/** Bad input (exit 2) also covers unknown names and name clashes. */
export function profileExitCode(err: unknown): number {
  return isBurrowError(err) && (err.code === 'NOT_FOUND' || err.code === 'CONFLICT') ? 2 : exitCodeFor(err);
}

/**
 * Opens the store the app uses (BURROW_CONFIG_DIR overrides); start-up warnings
 * go to stderr. The CLI keeps no secrets, but removes the app's encrypted entry
 * when a change leaves it without a reference.
 */
export async function openRepository(io: CliIO): Promise<ProfileRepository> {
  const dir = configDir(io.env);
  const repo = await ProfileRepository.open({ secrets: new ForgetOnlySecretStore(secretsFilePath(dir)), dir });
  for (const w of repo.warnings) io.stderr.write(`burrow: warning: ${w.message}\n`);
  return repo;
}

/** Runs a profile command: --help, argument errors as exit 2 with the message, JSON or text output. */
export function command(help: string, spec: FlagSpec, body: (p: ParsedArgs, io: CliIO, name: string) => Promise<number>, name: string): Run {
  return async (argv, io) => {
    if (argv.includes('--help') || argv.includes('-h')) {
      io.stdout.write(help);
      return 0;
    }
    const json = argv.includes('--json');
    try {
      const parsed = parseArgs(argv, { ...spec, long: [...spec.long, 'json', 'help'] }, name);
      return await body(parsed, io, name);
    } catch (e) {
      const err = isBurrowError(e) ? e : new BurrowError('INTERNAL', (e as Error).message);
      if (json) io.stdout.write(JSON.stringify({ event: 'error', code: err.code, message: err.message }) + '\n');
      else io.stderr.write(`burrow: error: ${err.message}\n`);
      return profileExitCode(err);
    }
  };
}

export function out(io: CliIO, p: ParsedArgs, value: unknown, text: string): number {
  if (has(p, '--json')) io.stdout.write(JSON.stringify(value) + '\n');
  else io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  return 0;
}

export function usage(message: string, cmd: string): BurrowError {
  return new BurrowError('USAGE', `${message} See 'burrow ${cmd} --help'.`);
}

export const one = (p: ParsedArgs, flag: string) => values(p, flag).at(-1);
