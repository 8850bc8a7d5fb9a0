// What a click in the tray menu does, and what the person is told when it did
// not work. The tray has no window to show an error in: a failed action becomes
// a desktop notification with the message (electron/app shows it).
import type { GroupResult, Result } from '../../shared/contract';
import { findPreset } from '../../shared/presets';
import type { ProfileDocument } from '../../shared/model';
import { presetForward, type IsFree } from '../profiles/presets';
import type { TrayAction } from './tray-menu';

export interface TrayNotice {
  title: string;
  body: string;
}

export interface TrayActionDeps {
  dispatch(channel: string, input: unknown): Promise<Result<unknown>>;
  document(): Pick<ProfileDocument, 'forwards'>;
  open(): void;
  quit(): void;
  isFree?: IsFree;
}

function whatFailed(a: TrayAction): string {
  switch (a.type) {
    case 'toggle':
      return `Could not ${a.start ? 'start' : 'stop'} ${a.forwardId}`;
    case 'group':
      return `Could not ${a.start ? 'start' : 'stop'} every forward in ${a.group}`;
    case 'preset':
      return `Could not add "${a.label ?? `the ${a.presetId} preset`}" via ${a.hostId}`;
    default:
      return 'Burrow could not do that';
  }
}

/** The notice for an action's result: null when it did what was clicked. */
export function trayFailureNotice(a: TrayAction, r: Result<unknown> | { thrown: unknown }): TrayNotice | null {
  if ('thrown' in r) return { title: whatFailed(a), body: (r.thrown as Error)?.message ?? String(r.thrown) };
  if (!r.ok) return { title: whatFailed(a), body: r.message };
  if (a.type === 'group') {
    // A group answers ok with a line per forward: some of them may have failed.
    const failed = (r.value as GroupResult).results.filter((x) => !x.ok);
    if (failed.length === 0) return null;
    return { title: whatFailed(a), body: failed.map((x) => `${x.name}: ${x.message ?? 'failed'}`).join('\n') };
  }
  return null;
}

/**
 * Runs a tray action through the contract's dispatcher. A quick preset saves
 * and starts exactly the forward its label named (the local port the menu
 * showed), through the same preset function as the window and `burrow preset`.
 * Resolves with the notice to show when it failed, else null.
 */
export async function runTrayAction(a: TrayAction, deps: TrayActionDeps): Promise<TrayNotice | null> {
  try {
    let r: Result<unknown>;
    switch (a.type) {
      case 'open':
        deps.open();
        return null;
      case 'quit':
        deps.quit();
        return null;
      case 'toggle':
        r = await deps.dispatch(a.start ? 'forward.start' : 'forward.stop', { name: a.forwardId });
        break;
      case 'group':
        r = await deps.dispatch(a.start ? 'group.start' : 'group.stop', { group: a.group });
        break;
      case 'preset': {
        const forward = await presetForward(deps.document(), findPreset(a.presetId), { host: a.hostId, localPort: a.localPort }, deps.isFree);
        r = await deps.dispatch('forward.add', { forward, start: true });
        // Saved, but it did not start (a failed request, or an answer that carries the start's error): say so, so that nobody adds it twice.
        const startError = r.ok ? (r.value as { startError?: { message: string } } | null)?.startError : undefined;
        if (startError) return { title: `Added ${forward.name}, but it could not start`, body: startError.message };
        if (!r.ok && deps.document().forwards.some((f) => f.name === forward.name)) return { title: `Added ${forward.name}, but it could not start`, body: r.message };
        break;
      }
    }
    return trayFailureNotice(a, r);
  } catch (e) {
    return trayFailureNotice(a, { thrown: e });
  }
}
