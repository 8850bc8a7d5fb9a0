// The browser mode's WebSocket messages (JSON, one per frame). The renderer's
// client (renderer/src/ws-client.ts) speaks the same shapes; it may not import
// from electron/, so they are written out on both sides.
import type { EventName, Events, Result } from '../../shared/contract';

export type ClientMessage =
  | { type: 'invoke'; id: number; channel: string; input: unknown }
  /** The page was hidden or shown: stats ticks pause while no viewer sees them. */
  | { type: 'visibility'; visible: boolean };

export type ServerMessage =
  | { type: 'result'; id: number; result: Result<unknown> }
  | { [E in EventName]: { type: 'event'; event: E; payload: Events[E] } }[EventName];

/** Imports carry up to 5 MB of text; leave room for JSON escaping. */
export const MAX_MESSAGE_BYTES = 12 * 1024 * 1024;

export function parseClientMessage(data: string): ClientMessage | null {
  let m: unknown;
  try {
    m = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof m !== 'object' || m === null) return null;
  const o = m as Record<string, unknown>;
  if (o.type === 'invoke' && Number.isSafeInteger(o.id) && typeof o.channel === 'string') return { type: 'invoke', id: o.id as number, channel: o.channel, input: o.input };
  if (o.type === 'visibility' && typeof o.visible === 'boolean') return { type: 'visibility', visible: o.visible };
  return null;
}
