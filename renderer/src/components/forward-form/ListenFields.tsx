// Where a forward listens: a Unix socket, or a bind address and a port, with
// the same exposure warning as the command line's (shared/exposure.ts).
import { exposureOf } from '../../../../shared/exposure';
import type { Forward } from '../../../../shared/model';
import { TextField } from '../Field';
import { num, variantOf, type PartProps } from './draft';
import { PortField } from './PortField';

export function ListenFields({ d, set, shown, original }: PartProps & { original?: Forward }) {
  const remote = d.kind === 'remote';
  if (variantOf(d) === 'fromSocket')
    return (
      <TextField
        label="Listening socket"
        error={shown('listenSocket')}
        hint={remote ? 'A path on the SSH server, where it listens.' : 'A path on this computer, where it listens.'}
        value={d.listenSocket}
        onValue={(v) => set('listenSocket', v)}
        placeholder={remote ? 'e.g. /tmp/app.sock' : 'e.g. /tmp/db.sock'}
        spellCheck={false}
      />
    );
  const bind = d.bindAddress.trim();
  const port = num(d.port);
  const login = d.kind === 'dynamic' && d.socksUser.trim() !== '';
  // An empty field is the loopback default.
  const exposure = bind === '' ? null : exposureOf(d.kind, { host: bind, port: typeof port === 'number' ? port : 0 }, { socksLogin: login });
  return (
    <div className="grid2">
      <TextField
        label="Bind address"
        error={shown('bindAddress')}
        hint={
          exposure ? (
            <p className="warning" role="note">
              {exposure.message}
            </p>
          ) : (
            `Empty: ${remote ? "the server's localhost" : '127.0.0.1, this computer only'}.`
          )
        }
        value={d.bindAddress}
        onValue={(v) => set('bindAddress', v)}
        placeholder={remote ? 'default: localhost' : 'default: 127.0.0.1'}
        spellCheck={false}
      />
      <PortField d={d} set={set} shown={shown} original={original} />
    </div>
  );
}
