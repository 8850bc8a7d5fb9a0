// The tray menu's input from the saved profiles and the engine's live states.
import { formatEndpoint } from '../../shared/forward-spec';
import { forwardToSpec, type ProfileDocument } from '../../shared/model';
import { PRESETS, preferredLocalPort } from '../../shared/presets';
import type { ForwardState } from '../tunnels/types';
import type { TrayInput } from './tray-menu';

export function trayInput(doc: Pick<ProfileDocument, 'forwards' | 'hosts'>, stateOf: (name: string) => ForwardState | undefined): TrayInput {
  return {
    forwards: doc.forwards.map((f) => {
      const st = stateOf(f.name) ?? { state: 'stopped' as const };
      const spec = forwardToSpec(f);
      const where = formatEndpoint(st.bound ?? spec.listen);
      return {
        id: f.name,
        name: f.name,
        group: f.group,
        state: st.state,
        destinationFailing: st.destinationFailing,
        localAddress: f.kind === 'remote' ? `server ${where}` : where,
      };
    }),
    presets: PRESETS.map((p) => ({
      id: p.id,
      label: p.port === undefined ? `${p.label} on localhost:${preferredLocalPort(p)}` : `Forward ${p.label} to localhost:${preferredLocalPort(p)}`,
    })),
    hosts: doc.hosts.map((h) => ({ id: h.name, name: h.name })),
  };
}
