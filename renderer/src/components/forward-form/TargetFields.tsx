// Where a local or remote forward's connections go: a Unix socket, or a host
// and port, as seen from the far end of the tunnel.
import { TextField } from '../Field';
import { variantOf, type PartProps } from './draft';

export function TargetFields({ d, set, shown }: PartProps) {
  const local = d.kind === 'local';
  if (variantOf(d) === 'toSocket')
    return (
      <TextField
        label="Destination socket"
        error={shown('destinationSocket')}
        hint={local ? 'A path on the SSH server, e.g. /run/postgresql/.s.PGSQL.5432.' : 'A path on this computer.'}
        value={d.destinationSocket}
        onValue={(v) => set('destinationSocket', v)}
        placeholder="e.g. /run/app.sock"
        spellCheck={false}
      />
    );
  return (
    <div className="grid2">
      <TextField
        label="Destination host"
        error={shown('destinationHost')}
        hint={local ? 'As the SSH server sees it; localhost is the server itself.' : 'As this computer sees it.'}
        value={d.destinationHost}
        onValue={(v) => set('destinationHost', v)}
        placeholder="e.g. localhost"
        spellCheck={false}
      />
      <TextField
        label="Destination port"
        error={shown('destinationPort')}
        value={d.destinationPort}
        onValue={(v) => set('destinationPort', v)}
        inputMode="numeric"
        placeholder="e.g. 110"
      />
    </div>
  );
}
