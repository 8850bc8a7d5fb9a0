// The listening port, with what is known about it as you type: below 1024
// (needs administrator rights), in use on this computer (the main process
// checks, and offers the next free one), free, or shared with another forward.
import { listenPort, type Forward } from '../../../../shared/model';
import { unprivilegedPort } from '../../../../shared/presets';
import { usePortCheck } from '../../hooks/usePortCheck';
import { useSnapshot } from '../../hooks/useStore';
import { TextField } from '../Field';
import { num, toDraft, type PartProps } from './draft';

export function PortField({ d, set, shown, original }: PartProps & { original?: Forward }) {
  const forwards = useSnapshot()?.forwards;
  const typed = num(d.port);
  const port = typeof typed === 'number' ? typed : undefined;
  // Only a port on this computer can be checked here; never the one the forward already holds.
  const here = d.kind !== 'remote';
  const unchanged = original !== undefined && listenPort(original) === port && toDraft(original, '').bindAddress === d.bindAddress.trim();
  const check = usePortCheck(here ? port : undefined, d.bindAddress, unchanged);
  const sharedWith = forwards?.find(
    (v) => v.forward.name !== original?.name && v.forward.kind !== 'remote' && here && listenPort(v.forward) === port && port !== undefined,
  );
  const use = (p: number) => set('port', String(p));
  return (
    <TextField
      label={d.kind === 'remote' ? 'Remote port' : 'Local port'}
      error={shown('port')}
      hint={
        <>
          {here && port !== undefined && port < 1024 && (
            <p className="note" role="note">
              Ports below 1024 need administrator rights; use {unprivilegedPort(port)} instead of {port}.{' '}
              <button type="button" className="link" onClick={() => use(unprivilegedPort(port))}>
                Use {unprivilegedPort(port)}
              </button>
            </p>
          )}
          {check && !check.free && (
            <p className="warning" role="note">
              Port {check.port} is in use on this computer.{' '}
              {check.suggestion && (
                <button type="button" className="link" onClick={() => use(check.suggestion!)}>
                  Use {check.suggestion} instead
                </button>
              )}
            </p>
          )}
          {check?.free && check.port >= 1024 && <span className="ok">Port {check.port} is free.</span>}
          {sharedWith && (
            <p className="note">
              {sharedWith.forward.name} uses port {port} too; only one of them can run at a time.
            </p>
          )}
          {d.kind === 'remote' && <span className="muted">0 lets the server choose.</span>}
        </>
      }
      value={d.port}
      onValue={(v) => set('port', v)}
      inputMode="numeric"
      placeholder={d.kind === 'dynamic' ? 'e.g. 1080' : 'e.g. 1100'}
    />
  );
}
