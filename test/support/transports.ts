// A request delivered to the dispatcher as each transport delivers it, and its
// answer carried back the same way: what the desktop app's IPC and burrow web's
// WebSocket do around dispatcher.dispatch.
import type { Dispatcher } from '../../electron/api/dispatcher';
import { MAX_MESSAGE_BYTES, parseClientMessage } from '../../electron/web/protocol';
import type { Result } from '../../shared/contract';

export interface Delivered {
  result: Result<unknown>;
  /** The size of the answer on the wire (JSON text for the WebSocket, JSON-equivalent for IPC). */
  answerChars: number;
}

/**
 * Over Electron IPC: the input is structured-cloned (BigInt, Map, Date, sparse
 * lists and cycles survive it; functions do not), and so is the answer. Null
 * when IPC could not carry the input at all. Node's clone overflows its stack
 * on deep nesting sooner than a renderer's might: such an input is passed as it is.
 */
export async function viaIpc(d: Dispatcher, channel: string, input: unknown): Promise<Delivered | null> {
  let sent: unknown;
  try {
    sent = structuredClone(input);
  } catch (e) {
    if (!(e instanceof RangeError)) return null;
    sent = input;
  }
  const result = (await d.dispatch(channel, sent)) as Result<unknown>;
  const back = structuredClone(result);
  return { result: back, answerChars: JSON.stringify(back).length };
}

/**
 * Over burrow web's WebSocket: `inputJson` is the JSON text of the input, put
 * in an invoke message that is read by the server's own parser (null when the
 * server would refuse the message: too big, or not an invoke); the answer goes
 * back as JSON text.
 */
export async function viaWebSocket(d: Dispatcher, channel: string, inputJson: string | undefined): Promise<Delivered | null> {
  const text = `{"type":"invoke","id":1,"channel":${JSON.stringify(channel)}${inputJson === undefined ? '' : `,"input":${inputJson}`}}`;
  if (Buffer.byteLength(text) > MAX_MESSAGE_BYTES) return null;
  const msg = parseClientMessage(text);
  if (!msg || msg.type !== 'invoke') return null;
  const result = (await d.dispatch(msg.channel, msg.input)) as Result<unknown>;
  const answer = JSON.stringify({ type: 'result', id: msg.id, result });
  return { result: JSON.parse(answer).result, answerChars: answer.length };
}
