// The tray menu's input from the saved profiles and the engine's live states.
import { formatEndpoint } from '../../shared/forward-spec';
import { type ProfileDocument } from '../../shared/model';
import { PRESETS } from '../../shared/presets';
import { presetLabels, type IsFree } from '../profiles/presets';
import { boundOf, destinationFailing, destinationUntried, type ForwardState } from '../../shared/tunnel-state';
import type { TrayInput, TrayPreset } from './tray-menu';

/**
 * The quick presets with the local port each would get right now (computed as
 * adding one computes it: the preferred port, else the next free one not used
 * by a saved forward). The label says that port, and the menu action carries
 * it, so the forward made is the one the label promised.
 */
export async function trayPresets(doc: Pick<ProfileDocument, 'forwards'>, isFree?: IsFree): Promise<TrayPreset[]> {
  return (await presetLabels(doc, PRESETS, isFree)).map(({ preset, localPort, label }) => ({ id: preset.id, label, localPort }));
}

export function trayInput(
  doc: Pick<ProfileDocument, 'forwards' | 'hosts'>,
  stateOf: (name: string) => ForwardState | undefined,
  presets: TrayPreset[],
): TrayInput {
  return {
    forwards: doc.forwards.map((f) => {
      const st: ForwardState = stateOf(f.name) ?? { state: 'stopped' };
      const where = formatEndpoint(boundOf(st) ?? f.listen);
      return {
        id: f.name,
        name: f.name,
        group: f.group,
        state: st.state,
        destinationFailing: destinationFailing(st),
        destinationUntried: destinationUntried(st),
        localAddress: f.kind === 'remote' ? `server ${where}` : where,
      };
    }),
    presets,
    hosts: doc.hosts.map((h) => ({ id: h.name, name: h.name })),
  };
}

export interface TrayRefresherDeps {
  document(): Pick<ProfileDocument, 'forwards' | 'hosts'>;
  stateOf(): (name: string) => ForwardState | undefined;
  update(input: TrayInput): void;
  isFree?: IsFree;
}

/**
 * refresh() rebuilds the tray input (the presets' ports are probed, which takes
 * a moment); calls made while one runs are folded into one more run after it,
 * so the menu always ends up showing the latest state.
 */
export function trayRefresher(deps: TrayRefresherDeps): () => Promise<void> {
  let running: Promise<void> | null = null;
  let again = false;
  const once = async () => {
    const doc = deps.document();
    const presets = await trayPresets(doc, deps.isFree);
    deps.update(trayInput(deps.document(), deps.stateOf(), presets));
  };
  const refresh = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await once().catch(() => undefined);
      } while (again);
      running = null;
    })();
    return running;
  };
  return refresh;
}
