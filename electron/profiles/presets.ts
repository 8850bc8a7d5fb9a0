// Presets against the saved profiles, for every entry point (the tray, `burrow
// preset`): the local port a preset gets and the forward it makes are computed
// here once, with the same free-port check and the same taken ports and names.
import type { ForwardInput, ProfileDocument } from '../../shared/model';
import { chooseLocalPort, forwardFromPreset, preferredLocalPort, presetTitle, takenLocalPorts, type Preset, type PresetChoice } from '../../shared/presets';
import { isPortFree } from './port-probe';

export type IsFree = (port: number) => boolean | Promise<boolean>;
const localFree: IsFree = (port) => isPortFree(port);

/** The local port the preset gets now: what its label says and what adding it uses. */
export function presetLocalPort(doc: Pick<ProfileDocument, 'forwards'>, p: Preset, isFree: IsFree = localFree): Promise<number> {
  return chooseLocalPort(p, isFree, takenLocalPorts(doc.forwards)).catch(() => preferredLocalPort(p));
}

/** Each preset with the port it would get now, and its label ("Forward POP3 to localhost:1101"). */
export async function presetLabels(
  doc: Pick<ProfileDocument, 'forwards'>,
  presets: readonly Preset[],
  isFree: IsFree = localFree,
): Promise<Array<{ preset: Preset; localPort: number; label: string }>> {
  return Promise.all(
    presets.map(async (preset) => {
      const localPort = await presetLocalPort(doc, preset, isFree);
      return { preset, localPort, label: presetTitle(preset, localPort) };
    }),
  );
}

/** The forward to save for a preset through a host: free local port (or the one a label promised), a unique default name. */
export function presetForward(doc: Pick<ProfileDocument, 'forwards'>, p: Preset, choice: PresetChoice, isFree: IsFree = localFree): Promise<ForwardInput> {
  return forwardFromPreset(
    p,
    choice,
    isFree,
    takenLocalPorts(doc.forwards),
    doc.forwards.map((f) => f.name),
  );
}
