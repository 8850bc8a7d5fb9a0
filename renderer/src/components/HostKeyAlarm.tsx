// A changed host key, as a loud modal warning: which server, the key it shows
// now, where the old one is, that it could be an attack, and what to do. It
// appears whenever a forward is refused for it, however it was started (here,
// the tray, autostart). There is deliberately no way to accept the new key from
// here: the old line is removed by hand once the key is confirmed.
import { copyText } from '../actions';
import { useHostKeyAlarms } from '../hooks/useStore';
import { store, type HostKeyAlarm } from '../store';
import { useUi } from '../ui';
import { Dialog } from './Dialog';

const list = (names: string[]) => (names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`);

function Alarm({ alarm }: { alarm: HostKeyAlarm }) {
  const ui = useUi();
  const w = alarm.warning;
  const host = w.host || 'the server';
  const close = () => store.dismissHostKeyAlarm(alarm.id);
  const openDetails = () => {
    ui.select(alarm.forwards[0]);
    close();
  };
  return (
    <Dialog title={`Warning: the host key of ${host} has changed`} onClose={close} role="alertdialog" wide className="host-key-alarm">
      <div className="alarm">
        <p>
          <strong>This could be an attack:</strong> someone may be intercepting the connection to <span className="mono">{host}</span> (a man-in-the-middle). It
          also happens when the server was reinstalled or given new keys.
        </p>
        <p>
          {/* True whether they were starting or had been running (a reconnect, or a key changed during the session). */}
          Burrow refused to connect, so {alarm.forwards.length === 1 ? 'the forward' : 'the forwards'} <span className="mono">{list(alarm.forwards)}</span>{' '}
          {alarm.forwards.length === 1 ? 'is' : 'are'} not running.
        </p>
      </div>
      {w.host ? (
        <dl className="fingerprint">
          {w.duringSession ? (
            <>
              <dt>What happened</dt>
              <dd>The server showed a different key while the connection was up; Burrow closed the connection.</dd>
            </>
          ) : (
            <>
              <dt>{w.keyType ? `New ${w.keyType} key fingerprint` : 'New key fingerprint'}</dt>
              <dd className="mono" aria-label="New key fingerprint">
                {w.fingerprint ?? 'not known'}
              </dd>
              {w.file && (
                <>
                  <dt>The old key</dt>
                  <dd className="mono" aria-label="Old key">
                    {w.file} line {w.line}
                  </dd>
                </>
              )}
            </>
          )}
        </dl>
      ) : (
        <p className="mono small-print">{alarm.message}</p>
      )}
      <h3>What to do</h3>
      <ol className="steps">
        <li>Ask the server's administrator for the fingerprint of its current host key, by a way you trust (not through this connection).</li>
        {w.systemWide ? (
          <li>
            Only if it matches: the old key is in the system-wide file <span className="mono">{w.file}</span>, which Burrow never changes. Ask this computer's
            administrator to replace it.
          </li>
        ) : w.removeCommand ? (
          <li>
            Only if it matches: remove the old line from your known_hosts file, for example with <code className="mono">{w.removeCommand}</code>
          </li>
        ) : (
          <li>Only if it matches: remove the old key of {host} from your known_hosts file (ssh-keygen -R).</li>
        )}
        <li>Start the forward again: Burrow then shows the new key and asks whether to trust it.</li>
      </ol>
      <p className="muted">If the fingerprints do not match, do not connect, and tell the administrator.</p>
      <footer className="dialog-actions">
        {w.removeCommand && (
          <button type="button" onClick={() => void copyText(w.removeCommand!, 'the ssh-keygen -R command')}>
            Copy ssh-keygen -R command
          </button>
        )}
        <button type="button" onClick={openDetails}>
          Open details
        </button>
        <button type="button" className="primary" onClick={close} autoFocus>
          Close
        </button>
      </footer>
    </Dialog>
  );
}

/** The oldest changed host key not yet dismissed. */
export function HostKeyAlarms() {
  const alarms = useHostKeyAlarms();
  const a = alarms[0];
  return a ? <Alarm key={a.id} alarm={a} /> : null;
}
