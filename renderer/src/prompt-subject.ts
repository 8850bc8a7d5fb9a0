// How a prompt names who asks. The engine says which saved host's login asks
// and which forwards wait on it (the question's `asker`); the person knows
// their hosts and forwards by name, so the prompt names them.
import type { Asker } from '../../shared/tunnel-state';

const quoted = (names: string[]) => names.map((n) => `'${n}'`).join(', ');

/** "host 'work' (127.0.0.1:22223) for forward 'pop3'", or the bare address when the question does not say. */
export function describeAsker(asker: Asker | undefined, address: string): string {
  if (!asker) return address;
  const host = `host ${quoted([asker.host])} (${address})`;
  if (asker.forwards.length === 0) return host;
  return `${host} for forward${asker.forwards.length > 1 ? 's' : ''} ${quoted(asker.forwards)}`;
}
