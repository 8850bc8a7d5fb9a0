// Export every forward (and the hosts they need) as an ssh_config fragment or JSON.
import { useEffect, useState } from 'react';
import type { ExportResult } from '../../../shared/contract';
import { copyText } from '../actions';
import { call, errorMessage } from '../api';
import { Dialog } from './Dialog';

export function ExportDialog(props: { onClose: () => void }) {
  const [format, setFormat] = useState<'ssh_config' | 'json'>('ssh_config');
  const [result, setResult] = useState<ExportResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [href, setHref] = useState<string | null>(null);

  useEffect(() => {
    setResult(null);
    call('export', { format })
      .then(setResult)
      .catch((e) => setError(errorMessage(e)));
  }, [format]);
  useEffect(() => {
    if (!result) return;
    const url = URL.createObjectURL(new Blob([result.text], { type: 'text/plain' }));
    setHref(url);
    return () => URL.revokeObjectURL(url);
  }, [result]);

  return (
    <Dialog title="Export" onClose={props.onClose} wide>
      <fieldset className="segmented">
        <legend>Format</legend>
        <label>
          <input type="radio" name="format" checked={format === 'ssh_config'} onChange={() => setFormat('ssh_config')} /> ssh_config (for OpenSSH)
        </label>
        <label>
          <input type="radio" name="format" checked={format === 'json'} onChange={() => setFormat('json')} /> Burrow JSON (for another Burrow)
        </label>
      </fieldset>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <textarea className="mono export-text" aria-label="Exported text" readOnly rows={14} value={result?.text ?? ''} />
      <footer className="dialog-actions">
        <button type="button" onClick={props.onClose}>
          Close
        </button>
        <button type="button" disabled={!result} onClick={() => result && copyText(result.text, 'the export')}>
          Copy
        </button>
        {href && result && (
          <a className="button primary" href={href} download={result.fileName}>
            Save as {result.fileName}
          </a>
        )}
      </footer>
    </Dialog>
  );
}
