// What a click in the tray menu does, and what the person is told when it did
// not work. The tray has no window to show an error in: a failed action becomes
// a desktop notification with the message (electron/app shows it).
import type { GroupResult, Result, SavedForwardView } from '../../shared/contract';
import type { TrayAction } from './tray-menu';

export interface TrayNotice {
  title: string;
  body: string;
}

export interface TrayActionDeps {
  dispatch(channel: string, input: unknown): Promise<Result<unknown>>;
  open(): void;
  quit(): void;
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
        // The local port the menu showed: the forward made is the one the label promised.
        r = await deps.dispatch('forward.fromPreset', { presetId: a.presetId, host: a.hostId, localPort: a.localPort, start: true });
        // Saved, but it did not start: say so, so that nobody adds it twice.
        const saved = r.ok ? (r.value as Pick<SavedForwardView, 'forward' | 'startError'>) : undefined;
        if (saved?.startError) return { title: `Added ${saved.forward.name}, but it could not start`, body: saved.startError.message };
        break;
      }
    }
    return trayFailureNotice(a, r);
  } catch (e) {
    return trayFailureNotice(a, { thrown: e });
  }
}
