// `burrow up NAME... | --group G | --all`: runs saved forwards in the
// foreground, with the same engine, reporter and reconnect behaviour as
// `burrow connect`.
import { BurrowError } from '../../shared/errors';
import { socksPasswordProblem, type Forward } from '../../shared/model';
import type { ProfileRepository } from '../profiles/repository';
import type { Prompter } from '../tunnels/types';
import { toEngineForward } from '../profiles/to-engine';
import { TunnelEngine } from '../tunnels/engine';
import type { ForwardState } from '../tunnels/types';
import { RuntimeStatusPublisher } from '../profiles/runtime-status';
import { dirname } from 'node:path';
import { runForwards } from './connect';
import type { CliIO } from './io';
import { openRepository, command, type Run } from './command';
import { ttyPrompter } from './prompter';
import { createReporter, reportEngine, upHints, warnExposure } from './reporter';
import { RETRY_HINT } from './retry-now';
import { has, values } from './args';

export const UP_HELP = `Usage: burrow up NAME... | --group G | --all [--json]

Runs saved forwards in the foreground until interrupted (Ctrl-C or SIGTERM),
reconnecting as 'burrow connect' does (Enter on the terminal or SIGUSR1
retries a reconnect at once). Passwords and passphrases are asked for
on the terminal (the command line keeps none). The password of a SOCKS login
(saved with --socks-user) comes from BURROW_SOCKS_PASSWORD, else the terminal.
  NAME...      Forwards by name
  --group G    Every forward in group G (repeatable)
  --all        Every saved forward
  --json       One JSON object per line on stdout, as 'burrow connect --json'

A forward that cannot be started is reported and the others keep running.

Exit status: 0 after SIGINT/SIGTERM; 2 for bad input (an unknown name, nothing
selected); 1 when no forward could be started, or all have failed for good.
`;

export function selectForwards(all: Forward[], names: string[], groups: string[], every: boolean): Forward[] {
  if (every) {
    if (names.length || groups.length) throw new BurrowError('USAGE', '--all runs every forward; leave out the names and groups.');
    if (!all.length) throw new BurrowError('USAGE', "There are no saved forwards yet: add one with 'burrow add forward' or 'burrow preset'.");
    return all;
  }
  if (!names.length && !groups.length) throw new BurrowError('USAGE', "Say which forwards to run: names, --group G or --all (see 'burrow ls').");
  const picked = new Map<string, Forward>();
  for (const n of names) {
    const f = all.find((x) => x.name === n);
    if (!f) throw new BurrowError('NOT_FOUND', `No forward named '${n}'. Saved forwards: ${all.map((x) => x.name).join(', ') || 'none'}.`);
    picked.set(f.name, f);
  }
  for (const g of groups) {
    const inGroup = all.filter((x) => x.group === g);
    if (!inGroup.length) {
      const known = [...new Set(all.map((x) => x.group).filter(Boolean))];
      throw new BurrowError('NOT_FOUND', `No forward is in group '${g}'. Groups: ${known.join(', ') || 'none'}.`);
    }
    for (const f of inGroup) picked.set(f.name, f);
  }
  return [...picked.values()];
}

/**
 * The passwords of the chosen forwards' SOCKS logins, by forward name: stored
 * (where a secret store exists), else BURROW_SOCKS_PASSWORD, else asked on the
 * terminal. Nothing is started without one (exit 2).
 */
export async function socksPasswordsFor(chosen: Forward[], repo: ProfileRepository, io: CliIO, prompter: Prompter | undefined): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const f of chosen) {
    if (f.kind !== 'dynamic' || !f.socksUser) continue;
    let pw = (await repo.forwardSecret(f.name).catch(() => null)) ?? io.env.BURROW_SOCKS_PASSWORD ?? null;
    if (!pw && prompter) {
      pw = await prompter.secret({
        kind: 'password',
        subject: `SOCKS user ${f.socksUser} (forward ${f.name})`,
        prompt: `Password for SOCKS user '${f.socksUser}' of forward '${f.name}': `,
      });
    }
    if (!pw) {
      throw new BurrowError(
        'USAGE',
        `Forward '${f.name}' requires the SOCKS login '${f.socksUser}', and no password was given: set BURROW_SOCKS_PASSWORD, or run on a terminal to be asked. Nothing was started.`,
      );
    }
    const problem = socksPasswordProblem(pw);
    if (problem) throw new BurrowError('USAGE', `Forward '${f.name}': ${problem}`);
    out.set(f.name, pw);
  }
  return out;
}

export const up: Run = command(
  UP_HELP,
  { withValue: '', boolean: '', long: ['all'], longWithValue: ['group'] },
  async (p, io: CliIO) => {
    const repo = await openRepository(io);
    const doc = repo.document();
    const chosen = selectForwards(doc.forwards, p.positional, values(p, '--group'), has(p, '--all'));
    const lookup = (name: string) => doc.hosts.find((h) => h.name === name);
    const prompter = ttyPrompter(io);
    const socksPasswords = await socksPasswordsFor(chosen, repo, io, prompter);
    const planned = chosen.map((f) => toEngineForward(f, { lookup, settings: doc.settings, socksPasswords }));
    const reporter = createReporter(io, has(p, '--json'));
    const engine = new TunnelEngine({ prompter });
    // So that `burrow ls` (in another terminal) shows what this process runs. Listening
    // before the reporter does: a state is on disk before it is announced.
    const status = new RuntimeStatusPublisher(dirname(repo.path), 'cli');
    const publish = () => status.publish(engine.list().map((f): [string, ForwardState] => [f.id, f.state]));
    engine.on('state', publish);
    try {
      reportEngine(engine, reporter, { retryHint: io.stdin.isTTY ? RETRY_HINT : undefined, hintFor: upHints });
      for (const f of planned) warnExposure(reporter, f.id, f.spec);
      for (const f of planned) engine.add(f.id, f.host, f.spec);
      return await runForwards(
        engine,
        planned.map((f) => f.id),
        io,
        reporter,
      );
    } finally {
      engine.off('state', publish);
      status.remove();
    }
  },
  'up',
);
