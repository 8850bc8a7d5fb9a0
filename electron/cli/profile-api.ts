// The profile commands reach the profiles as the window does: through the
// contract's dispatcher (shape limits, schema) and the same profile handlers,
// with nothing running in this process (profile-handlers.ts NOTHING_RUNS).
import { BurrowError } from '../../shared/errors';
import type { Input, Output } from '../../shared/contract';
import { createDispatcher } from '../api/dispatcher';
import { createProfileHandlers, type ProfileChannel } from '../api/profile-handlers';
import type { ProfileRepository } from '../profiles/repository';
import { openRepository } from './command';
import type { CliIO } from './io';

export interface ProfileApi {
  /** For reading what is saved (the current entry an edit starts from); every change goes through call(). */
  repo: ProfileRepository;
  /** Calls a profile channel: its output, or the failure thrown as a BurrowError (code, message, details). */
  call<C extends ProfileChannel>(channel: C, input: Input<C>): Promise<Output<C>>;
}

export async function openProfileApi(io: CliIO): Promise<ProfileApi> {
  const repo = await openRepository(io);
  const dispatcher = createDispatcher(createProfileHandlers({ repo, secretsAvailable: () => repo.secretsAvailable() }));
  return {
    repo,
    async call(channel, input) {
      const r = await dispatcher.dispatch(channel, input);
      if (!r.ok) throw new BurrowError(r.code, r.message, r.details ? { details: r.details } : undefined);
      return r.value as Output<typeof channel>;
    },
  };
}
