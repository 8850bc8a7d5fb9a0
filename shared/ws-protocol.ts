// The browser mode's WebSocket messages (JSON, one per frame), spoken by
// electron/web/ and the renderer's WebSocket client alike.
import type { EventName, Events, Result } from './contract';

export type ClientMessage =
  | { type: 'invoke'; id: number; channel: string; input: unknown }
  /** The page was hidden or shown: stats ticks pause while no viewer sees them. */
  | { type: 'visibility'; visible: boolean };

export type ServerMessage =
  | { type: 'result'; id: number; result: Result<unknown> }
  | { [E in EventName]: { type: 'event'; event: E; payload: Events[E] } }[EventName];
