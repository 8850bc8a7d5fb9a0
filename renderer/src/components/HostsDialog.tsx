// The saved SSH hosts: a list to pick from, and the form to add or edit one.
import { useRef, useState } from 'react';
import { call, errorMessage } from '../api';
import { useSnapshot } from '../hooks/useStore';
import { notify } from '../notices';
import { focusAfterClose } from '../focus';
import { refresh } from '../sync';
import { Dialog } from './Dialog';
import { HostForm } from './host-form/HostForm';

export function HostsDialog(props: { edit?: string | null; onClose: () => void }) {
  const snapshot = useSnapshot();
  // undefined: the list; null: a new host; a name: that host.
  const [editing, setEditing] = useState<string | null | undefined>(props.edit);
  const hosts = snapshot?.hosts ?? [];
  const original = typeof editing === 'string' ? hosts.find((h) => h.host.name === editing)?.host : undefined;

  const dialogRef = useRef<HTMLDivElement>(null);
  // Removing asks first, as removing a forward does.
  const [confirming, setConfirming] = useState<string | null>(null);
  const remove = async (name: string) => {
    const confirmDialog = document.activeElement?.closest('dialog') ?? null;
    setConfirming(null);
    const names = hosts.map((h) => h.host.name);
    const i = names.indexOf(name);
    const next = names[i + 1] ?? names[i - 1];
    try {
      await call('host.remove', { name });
      await refresh();
    } catch (e) {
      notify({ tone: 'error', text: errorMessage(e) });
      return;
    }
    // The focus stays in the dialog: on the next host, or on Add host when none is left.
    focusAfterClose(confirmDialog, () => {
      const root = dialogRef.current;
      return next ? root?.querySelector<HTMLElement>(`[aria-label="Edit host ${CSS.escape(next)}"]`) : root?.querySelector<HTMLElement>('button.primary');
    });
  };

  const title = editing === undefined ? 'SSH hosts' : editing === null ? 'Add host' : `Edit host ${editing}`;
  return (
    <Dialog title={title} onClose={props.onClose} wide>
      {editing === undefined ? (
        <div ref={dialogRef}>
          {hosts.length === 0 ? (
            <p className="muted">No hosts yet. A host is an SSH server your forwards go through.</p>
          ) : (
            <table className="table">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Address</th>
                  <th>Authentication</th>
                  <th>Jump hosts</th>
                  <th>
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {hosts.map(({ host: h, hasStoredSecret }) => (
                  <tr key={h.name}>
                    <td>{h.name}</td>
                    <td className="mono">
                      {h.user ? `${h.user}@` : ''}
                      {h.hostname}:{h.port}
                    </td>
                    <td>
                      {h.auth.method === 'key' ? `key ${h.auth.keyPath}` : h.auth.method}
                      {hasStoredSecret && <span className="muted"> · {h.auth.method === 'key' ? 'passphrase' : 'password'} stored</span>}
                    </td>
                    <td>{h.jump.join(' → ') || <span className="muted">none</span>}</td>
                    <td className="actions">
                      <button type="button" className="small" aria-label={`Edit host ${h.name}`} onClick={() => setEditing(h.name)}>
                        Edit
                      </button>
                      <button type="button" className="small danger" aria-label={`Remove host ${h.name}`} onClick={() => setConfirming(h.name)}>
                        Remove
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <footer className="dialog-actions">
            <button type="button" onClick={props.onClose}>
              Close
            </button>
            <button type="button" className="primary" onClick={() => setEditing(null)}>
              Add host
            </button>
          </footer>
          {confirming && (
            <Dialog title={`Remove host ${confirming}?`} onClose={() => setConfirming(null)} className="stacked">
              <p>Its settings and any stored password or passphrase are deleted. Forwards that go through it must be removed or moved to another host first.</p>
              <footer className="dialog-actions">
                <button type="button" onClick={() => setConfirming(null)} autoFocus>
                  Cancel
                </button>
                <button type="button" className="danger primary" onClick={() => void remove(confirming)}>
                  Remove host
                </button>
              </footer>
            </Dialog>
          )}
        </div>
      ) : (
        <HostForm
          key={String(editing)}
          original={original}
          onDone={(saved) => {
            if (saved) void refresh();
            if (props.edit !== undefined && saved) props.onClose();
            else setEditing(undefined);
          }}
        />
      )}
    </Dialog>
  );
}
