// Launch at login, start hidden, notifications and the default keepalive.
import { useState } from 'react';
import { SettingsPatchSchema } from '../../../shared/contract';
import { call, desktop, errorMessage } from '../api';
import { useSnapshot } from '../hooks/useStore';
import { refresh } from '../sync';
import { Dialog } from './Dialog';
import { TextField, firstByField } from './Field';

export function SettingsDialog(props: { onClose: () => void }) {
  const s = useSnapshot()?.settings;
  const [launchAtLogin, setLaunch] = useState(s?.launchAtLogin ?? false);
  const [startHidden, setHidden] = useState(s?.startHidden ?? false);
  const [notifications, setNotifications] = useState(s?.notifications ?? true);
  const [interval, setInterval_] = useState(String(s?.keepalive.interval ?? 15));
  const [countMax, setCount] = useState(String(s?.keepalive.countMax ?? 3));
  const [error, setError] = useState<string | null>(null);
  const toNum = (v: string) => (/^\d+$/.test(v.trim()) ? Number(v.trim()) : v);
  const patch = { launchAtLogin, startHidden, notifications, keepalive: { interval: toNum(interval), countMax: toNum(countMax) } };
  const parsed = SettingsPatchSchema.safeParse(patch);
  const errors = parsed.success ? {} : firstByField(parsed.error.issues.map((i) => ({ field: i.path.map(String).join('.'), message: i.message })));
  /** The message about one keepalive box (by the issue's path, never its wording). */
  const keepaliveError = (part: 'interval' | 'countMax') =>
    parsed.success ? undefined : parsed.error.issues.find((i) => i.path[0] === 'keepalive' && i.path[1] === part)?.message;

  const save = async () => {
    if (!parsed.success) return;
    try {
      await call('settings.set', parsed.data);
      await refresh();
      props.onClose();
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  return (
    <Dialog title="Settings" onClose={props.onClose}>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        {/* The desktop app's own settings: a browser (burrow web) has no login item and no tray. */}
        {desktop && (
          <>
            <label className="check">
              <input type="checkbox" checked={launchAtLogin} onChange={(e) => setLaunch(e.target.checked)} /> Launch at login
            </label>
            <label className="check">
              <input type="checkbox" checked={startHidden} onChange={(e) => setHidden(e.target.checked)} /> Start hidden in the tray
            </label>
          </>
        )}
        <label className="check">
          <input type="checkbox" checked={notifications} onChange={(e) => setNotifications(e.target.checked)} /> Notify when a forward fails, drops or recovers
        </label>
        <div className="grid2">
          <TextField
            label="Default keepalive interval (seconds)"
            error={keepaliveError('interval')}
            hint="0 turns keepalive off."
            value={interval}
            onValue={setInterval_}
            inputMode="numeric"
          />
          <TextField
            label="Default keepalive count"
            error={keepaliveError('countMax')}
            hint="Missed replies before reconnecting."
            value={countMax}
            onValue={setCount}
            inputMode="numeric"
          />
        </div>
        {(error || errors['(form)']) && (
          <p className="form-error" role="alert">
            {error ?? errors['(form)']}
          </p>
        )}
        <footer className="dialog-actions">
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={!parsed.success}>
            Save settings
          </button>
        </footer>
      </form>
    </Dialog>
  );
}
