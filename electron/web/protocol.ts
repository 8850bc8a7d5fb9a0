// Reading the browser mode's WebSocket messages (shapes in shared/ws-protocol.ts).
import type { ClientMessage } from '../../shared/ws-protocol';

export { ACCESS_REFUSED, type ClientMessage, type ServerMessage } from '../../shared/ws-protocol';

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
  if (o.type === 'hello' && typeof o.token === 'string') return { type: 'hello', token: o.token };
  if (o.type === 'invoke' && Number.isSafeInteger(o.id) && typeof o.channel === 'string')
    return { type: 'invoke', id: o.id as number, channel: o.channel, input: o.input };
  if (o.type === 'visibility' && typeof o.visible === 'boolean') return { type: 'visibility', visible: o.visible };
  return null;
}
