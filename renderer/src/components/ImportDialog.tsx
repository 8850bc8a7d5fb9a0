// Import hosts and forwards from ssh_config (or a Burrow JSON export): a
// preview with a checkbox per entry and the reason for each skipped one.
import { useState } from 'react';
import type { ImportItem, ImportResult, Input } from '../../../shared/contract';
import { call, errorMessage } from '../api';
import { notify } from '../notices';
import { refresh } from '../sync';
import { Dialog } from './Dialog';

type Source = Input<'import.preview'>['source'];

const ACTION_TEXT: Record<ImportItem['action'], string> = {
  add: 'new',
  exists: 'already saved, the same',
  conflict: 'a different one with this name is saved',
  replace: 'replaces the saved one',
  skip: 'skipped',
};

export function ImportDialog(props: { onClose: () => void }) {
  const [text, setText] = useState('');
  const [source, setSource] = useState<Source | null>(null);
  const [preview, setPreview] = useState<ImportResult | null>(null);
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [replace, setReplace] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = async (src: Source) => {
    setBusy(true);
    setError(null);
    try {
      const r = await call('import.preview', { source: src });
      setSource(src);
      setPreview(r);
      setPicked(new Set(r.items.filter((i) => i.action === 'add').map((i) => i.name)));
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const readFile = async (file: File) => {
    const body = await file.text();
    setText(body);
    await load(body.trim().startsWith('{') ? { format: 'json', text: body } : { format: 'ssh_config', text: body });
  };

  const apply = async () => {
    if (!source) return;
    setBusy(true);
    try {
      const r = await call('import.apply', { source, select: [...picked], replace });
      const added = r.items.filter((i) => i.action === 'add' || i.action === 'replace').length;
      notify({ tone: 'info', text: `Imported ${added} ${added === 1 ? 'entry' : 'entries'}.` });
      await refresh();
      props.onClose();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const toggle = (name: string, on: boolean) =>
    setPicked((s) => {
      const n = new Set(s);
      if (on) n.add(name);
      else n.delete(name);
      return n;
    });
  const selectable = (i: ImportItem) => i.action === 'add' || ((i.action === 'conflict' || i.action === 'replace') && replace);

  return (
    <Dialog title="Import" onClose={props.onClose} wide>
      {!preview ? (
        <div className="form">
          <p className="muted">
            Hosts and their LocalForward, RemoteForward and DynamicForward lines become Burrow hosts and forwards. Nothing is saved until you confirm.
          </p>
          <div className="row-buttons">
            <button type="button" className="primary" disabled={busy} onClick={() => load({ format: 'ssh_config', defaultPath: true })}>
              Read ~/.ssh/config
            </button>
            <label className="button">
              Choose a file…
              <input type="file" className="sr-only" onChange={(e) => e.target.files?.[0] && void readFile(e.target.files[0])} />
            </label>
          </div>
          <div className="field">
            <label htmlFor="import-text">Or paste ssh_config text</label>
            <textarea
              id="import-text"
              rows={10}
              className="mono"
              value={text}
              onChange={(e) => setText(e.target.value)}
              spellCheck={false}
              placeholder={'Host mail\n  HostName mail.example.com\n  LocalForward 1100 localhost:110'}
            />
          </div>
          {error && (
            <p className="form-error" role="alert">
              {error}
            </p>
          )}
          <footer className="dialog-actions">
            <button type="button" onClick={props.onClose}>
              Cancel
            </button>
            <button
              type="button"
              className="primary"
              disabled={busy || !text.trim()}
              onClick={() => load(text.trim().startsWith('{') ? { format: 'json', text } : { format: 'ssh_config', text })}
            >
              Preview
            </button>
          </footer>
        </div>
      ) : (
        <div className="form">
          {preview.items.length === 0 ? (
            <p className="muted">Nothing to import was found.</p>
          ) : (
            <table className="table" aria-label="Import preview">
              <thead>
                <tr>
                  <th>Import</th>
                  <th>Kind</th>
                  <th>Name</th>
                  <th>What happens</th>
                </tr>
              </thead>
              <tbody>
                {preview.items.map((i, k) => (
                  <tr key={`${i.kind}-${i.name}-${k}`} className={i.action === 'skip' ? 'skipped' : ''}>
                    <td>
                      <input
                        type="checkbox"
                        aria-label={`Import ${i.kind} ${i.name}`}
                        checked={picked.has(i.name) && selectable(i)}
                        disabled={!selectable(i)}
                        onChange={(e) => toggle(i.name, e.target.checked)}
                      />
                    </td>
                    <td>{i.kind}</td>
                    <td className="mono">{i.name}</td>
                    <td>
                      {ACTION_TEXT[i.action]}
                      {i.reason && (
                        <span className="reason-text">
                          {i.action === 'skip' ? ': ' : ' · '}
                          {i.reason}
                        </span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {preview.items.some((i) => i.action === 'conflict') && (
            <label className="check">
              <input type="checkbox" checked={replace} onChange={(e) => setReplace(e.target.checked)} /> Replace saved entries that differ
            </label>
          )}
          {error && (
            <p className="form-error" role="alert">
              {error}
            </p>
          )}
          <footer className="dialog-actions">
            <button type="button" onClick={() => setPreview(null)}>
              Back
            </button>
            <button type="button" className="primary" disabled={busy || picked.size === 0} onClick={apply}>
              Import {picked.size} selected
            </button>
          </footer>
        </div>
      )}
    </Dialog>
  );
}
