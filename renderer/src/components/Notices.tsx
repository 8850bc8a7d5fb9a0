// The notices at the bottom, plus the profile store's warnings and the
// browser mode's connection state.
import { useSyncExternalStore } from 'react';
import { createPortal } from 'react-dom';
import { forwardRow, refocusWhenLost } from '../focus';
import { dismiss, noticeStore } from '../notices';
import { useSnapshot } from '../hooks/useStore';
import { useEngineLost, useWebConnection } from '../hooks/useEngineLost';
import { useTopDialog } from '../hooks/useTopDialog';

function ConnectionBanner() {
  const state = useWebConnection();
  const lost = useEngineLost();
  if (!lost || !state) return null;
  return (
    <div className="banner error" role="alert">
      {state.refused ?? (
        <>
          Lost the connection to <code>burrow web</code>; reconnecting… If this stays, check that <code>burrow web</code> still runs, and open the URL it
          printed (with its #token=).
        </>
      )}
    </div>
  );
}

export function Notices() {
  const notices = useSyncExternalStore(noticeStore.subscribe, noticeStore.get);
  const warnings = useSnapshot()?.warnings ?? [];
  // Under a modal dialog a notice would be dimmed, unclickable and hidden from
  // assistive technology: it goes inside the dialog on top instead.
  const dialog = useTopDialog();
  const toasts = (
    <div className="toasts" aria-live="polite">
      {notices.map((n) => (
        <div key={n.id} className={`toast ${n.tone}`} role={n.tone === 'error' ? 'alert' : 'status'}>
          <span>{n.text}</span>
          {n.actions?.map((a) => (
            <button
              key={a.label}
              type="button"
              className="small"
              onClick={() => {
                dismiss(n.id);
                // The button goes away with the notice: the forward's row keeps the focus.
                const toRow = () => n.forward && refocusWhenLost(() => forwardRow(n.forward!));
                toRow();
                void Promise.resolve(a.run()).finally(toRow);
              }}
            >
              {a.label}
            </button>
          ))}
          <button type="button" className="icon-button" aria-label="Dismiss" onClick={() => dismiss(n.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
  return (
    <>
      <ConnectionBanner />
      {warnings.map((w) => (
        <div key={w.code + w.message} className="banner warn" role="status">
          {w.message}
        </div>
      ))}
      {dialog ? createPortal(toasts, dialog) : toasts}
    </>
  );
}
