// Exit statuses shared by every command (kept apart from connect.ts, so that
// the profile commands do not load the engine to know them).
import { ERROR_INFO, isBurrowError } from '../../shared/errors';

export const EXIT_USAGE = 2;

/** 2 for bad input (nothing was started), 1 for everything else. */
export function exitCodeFor(err: unknown): number {
  if (!isBurrowError(err)) return 1;
  return ERROR_INFO[err.code]?.badInput ? EXIT_USAGE : 1;
}
