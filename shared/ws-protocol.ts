// The browser mode's WebSocket messages (JSON, one per frame), spoken by
// electron/web/ and the renderer's WebSocket client alike.
import type { EventName, Events, Result } from './contract';

export type ClientMessage =
  /** The first message on every connection: the access token from the printed URL. */
  | { type: 'hello'; token: string }
  | { type: 'invoke'; id: number; channel: string; input: unknown }
  /** The page was hidden or shown: stats ticks pause while no viewer sees them. */
  | { type: 'visibility'; visible: boolean };

export type ServerMessage =
  /** The token was right: requests are answered and events flow from now on. */
  | { type: 'ready' }
  | { type: 'result'; id: number; result: Result<unknown> }
  | { [E in EventName]: { type: 'event'; event: E; payload: Events[E] } }[EventName];

/** The close code for a connection whose token is missing or wrong; the close reason says what to do. */
export const ACCESS_REFUSED = 4401;
