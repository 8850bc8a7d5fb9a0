// One-click starting points: step one picks the service, step two the host.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { PresetView } from '../../../shared/contract';
import { reportStartFailure } from '../actions';
import { call, errorMessage } from '../api';
import { useSnapshot } from '../hooks/useStore';
import { store } from '../store';
import { useUi } from '../ui';
import { refresh } from '../sync';
import { Dialog } from './Dialog';
import { HostForm } from './host-form/HostForm';

export function PresetDialog(props: { onClose: () => void }) {
  const ui = useUi();
  const snapshot = useSnapshot();
  const hosts = useMemo(() => snapshot?.hosts ?? [], [snapshot]);
  const [presets, setPresets] = useState<PresetView[] | null>(null);
  const [picked, setPicked] = useState<PresetView | null>(null);
  const [host, setHost] = useState(hosts[0]?.host.name ?? '');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  /** Where the service runs, as the SSH host sees it; empty: on the SSH host itself. */
  const [destination, setDestination] = useState('');
  // "Add a host" opens the host form on top of step 2; once saved, step 2 comes back with it picked.
  const [addingHost, setAddingHost] = useState(false);
  const hostSelect = useRef<HTMLSelectElement>(null);
  const [focusHost, setFocusHost] = useState(false);
  useEffect(() => {
    if (addingHost || !focusHost) return;
    hostSelect.current?.focus();
    setFocusHost(false);
  }, [addingHost, focusHost, hosts.length]);
  const hostAdded = async (name?: string) => {
    if (name) {
      await refresh();
      setHost(name);
      setFocusHost(true);
    }
    setAddingHost(false);
  };

  useEffect(() => {
    call('presets.list', {})
      .then(setPresets)
      .catch((e) => setError(errorMessage(e)));
  }, []);
  useEffect(() => {
    if (!host && hosts[0]) setHost(hosts[0].host.name);
  }, [hosts, host]);

  const create = async (start: boolean) => {
    if (!picked || !host) return;
    setBusy(true);
    setError(null);
    try {
      // Saved is saved: a start that fails afterwards comes back as startError, and the row shows it with its fixes.
      const view = await call('forward.fromPreset', {
        presetId: picked.id,
        host,
        start,
        ...(destination.trim() ? { destinationHost: destination.trim() } : {}),
      });
      store.mergeView(view);
      ui.select(view.forward.name);
      props.onClose();
      if (view.startError) void reportStartFailure(view.forward.name, view.startError, ui);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const customize = () => {
    if (!picked) return;
    ui.open({
      type: 'forward',
      draft:
        picked.port === undefined
          ? { name: `${picked.id}-${host}`, kind: 'dynamic', listen: { host: '127.0.0.1', port: picked.localPort }, host, tags: ['preset'] }
          : {
              name: `${picked.id}-${host}`,
              kind: 'local',
              listen: { host: '127.0.0.1', port: picked.localPort },
              target: { host: destination.trim() || 'localhost', port: picked.port },
              host,
              tags: ['preset'],
            },
    });
  };

  return (
    <Dialog title={picked ? picked.title : 'Start from a preset'} onClose={props.onClose} wide>
      {!picked ? (
        <>
          <p className="muted">Step 1 of 2: pick the service. Ports below 1024 move up by 1000 so that no administrator rights are needed.</p>
          {!presets && !error && <p className="muted">Loading…</p>}
          <ul className="preset-grid">
            {presets?.map((p) => (
              <li key={p.id}>
                <button type="button" className="preset" onClick={() => setPicked(p)}>
                  <span className="preset-title">{p.title}</span>
                  <span className="muted">{p.kind === 'dynamic' ? 'SOCKS proxy' : `service port ${p.port}`}</span>
                </button>
              </li>
            ))}
          </ul>
        </>
      ) : (
        <form
          className="form"
          onSubmit={(e) => {
            e.preventDefault();
            void create(false);
          }}
        >
          <p className="muted">Step 2 of 2: pick the SSH host that can reach the service.</p>
          {hosts.length === 0 ? (
            <p className="warning">
              There is no SSH host yet.{' '}
              <button type="button" className="link" onClick={() => setAddingHost(true)}>
                Add a host
              </button>
            </p>
          ) : (
            <div className="field">
              <label htmlFor="preset-host">SSH host</label>
              <select id="preset-host" ref={hostSelect} value={host} onChange={(e) => setHost(e.target.value)} autoFocus>
                {hosts.map((h) => (
                  <option key={h.host.name} value={h.host.name}>
                    {h.host.name} ({h.host.hostname})
                  </option>
                ))}
              </select>
            </div>
          )}
          {picked.kind !== 'dynamic' && (
            <div className="field">
              <label htmlFor="preset-destination">Service host (optional)</label>
              <input id="preset-destination" value={destination} onChange={(e) => setDestination(e.target.value)} aria-describedby="preset-destination-hint" />
              <p id="preset-destination-hint" className="field-hint muted">
                Leave empty when the service runs on the SSH host itself; otherwise the name or address the SSH host reaches it by (e.g. mail.example.com).
              </p>
            </div>
          )}
          <p className="muted">
            {picked.kind === 'dynamic'
              ? `A SOCKS proxy on 127.0.0.1:${picked.localPort} through ${host || 'the host'}.`
              : destination.trim()
                ? `127.0.0.1:${picked.localPort} on this computer reaches port ${picked.port} on ${destination.trim()}, through ${host || 'the host'}.`
                : `127.0.0.1:${picked.localPort} on this computer reaches port ${picked.port} on ${host || 'the host'} itself.`}
          </p>
          {error && (
            <p className="form-error" role="alert">
              {error}
            </p>
          )}
          <footer className="dialog-actions">
            <button type="button" onClick={() => setPicked(null)}>
              Back
            </button>
            <button type="button" onClick={customize} disabled={!host}>
              Customize…
            </button>
            <button type="button" onClick={() => create(true)} disabled={!host || busy}>
              Create and start
            </button>
            <button type="submit" className="primary" disabled={!host || busy}>
              Create forward
            </button>
          </footer>
        </form>
      )}
      {addingHost && (
        <Dialog title="Add host" onClose={() => setAddingHost(false)} wide className="stacked">
          <p className="stacked-context muted">For {picked?.title ?? 'the preset'}: once saved, the new host is picked in step 2.</p>
          <HostForm onDone={(name) => void hostAdded(name)} />
        </Dialog>
      )}
    </Dialog>
  );
}
