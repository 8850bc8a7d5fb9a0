// Questions from the main process, one at a time, as modal dialogs: an unknown
// host key (trust once, trust and save, cancel) or a password, key passphrase
// or one-time code.
import { useState } from 'react';
import type { PromptAnswer, PromptRequest } from '../../../shared/contract';
import { call, errorMessage } from '../api';
import { usePrompts } from '../hooks/useStore';
import { store } from '../store';
import { Dialog } from './Dialog';
import { forwardRow, refocusWhenLost } from '../focus';
import { describeAsker } from '../prompt-subject';

const SECRET_TITLE = { password: 'Password needed', passphrase: 'Key passphrase needed', otp: 'One-time code needed' } as const;

function useAnswer(p: PromptRequest, forwards: string[]) {
  const [error, setError] = useState<string | null>(null);
  const answer = async (a: PromptAnswer) => {
    try {
      await call('prompt.answer', { id: p.id, answer: a });
      store.closePrompt(p.id);
      // Closing gives the focus back to what had it when the question came, often nothing (a start from the tray, a retry).
      if (forwards[0]) refocusWhenLost(() => forwardRow(forwards[0]));
    } catch (e) {
      setError(errorMessage(e));
      if (/already answered|expired/.test(errorMessage(e))) store.closePrompt(p.id);
    }
  };
  return { answer, error };
}

function HostKeyPrompt({ p }: { p: Extract<PromptRequest, { type: 'hostKey' }> }) {
  const q = p.question;
  const text = describeAsker(p.asker, `${q.host}:${q.port}`);
  const { answer, error } = useAnswer(p, p.asker?.forwards ?? []);
  return (
    <Dialog title="Unknown host key" onClose={() => answer({ type: 'hostKey', decision: 'reject' })} role="alertdialog">
      <p>
        Burrow has never seen the host key of <strong>{text}</strong>. Make sure it is the right server before trusting it: compare the fingerprint with the one
        its administrator gave you.
      </p>
      <dl className="fingerprint">
        <dt>{q.keyType} key fingerprint</dt>
        <dd className="mono" aria-label="Fingerprint">
          {q.fingerprint}
        </dd>
      </dl>
      {q.otherKnownTypes.length > 0 && (
        <p className="note">Your known_hosts file has {q.otherKnownTypes.join(', ')} keys for this server, but not this type.</p>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <footer className="dialog-actions">
        <button type="button" onClick={() => answer({ type: 'hostKey', decision: 'reject' })}>
          Cancel
        </button>
        {/* The first focus: Enter neither rejects (as × would) nor saves the key for good. */}
        <button type="button" autoFocus onClick={() => answer({ type: 'hostKey', decision: 'once' })}>
          Trust once
        </button>
        <button type="button" className="primary" onClick={() => answer({ type: 'hostKey', decision: 'save' })}>
          Trust and save
        </button>
      </footer>
    </Dialog>
  );
}

function SecretPrompt({ p }: { p: Extract<PromptRequest, { type: 'secret' }> }) {
  const q = p.question;
  const text = describeAsker(p.asker, q.subject);
  const { answer, error } = useAnswer(p, p.asker?.forwards ?? []);
  const [value, setValue] = useState('');
  const label = q.kind === 'password' ? 'Password' : q.kind === 'passphrase' ? 'Passphrase' : 'Code';
  return (
    <Dialog title={SECRET_TITLE[q.kind]} onClose={() => answer({ type: 'secret', value: null })}>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          void answer({ type: 'secret', value });
        }}
      >
        <p>
          {q.kind === 'passphrase' ? (
            <>
              For the key <span className="mono">{q.subject}</span>
              {p.asker && ` of ${text}`}
            </>
          ) : (
            <>To log in to {p.asker ? text : <span className="mono">{q.subject}</span>}</>
          )}
        </p>
        {q.retry && (
          <p className="form-error" role="alert">
            {q.retry}
          </p>
        )}
        {q.prompt && <p className="muted prompt-text">{q.prompt}</p>}
        <div className="field">
          <label htmlFor="prompt-secret">{label}</label>
          <input
            id="prompt-secret"
            type={q.echo ? 'text' : 'password'}
            value={value}
            autoFocus
            autoComplete={q.kind === 'otp' ? 'one-time-code' : 'off'}
            onChange={(e) => setValue(e.target.value)}
          />
        </div>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <footer className="dialog-actions">
          <button type="button" onClick={() => answer({ type: 'secret', value: null })}>
            Cancel
          </button>
          <button type="submit" className="primary">
            OK
          </button>
        </footer>
      </form>
    </Dialog>
  );
}

export function PromptHost() {
  const prompts = usePrompts();
  const p = prompts[0];
  if (!p) return null;
  return p.type === 'hostKey' ? <HostKeyPrompt key={p.id} p={p} /> : <SecretPrompt key={p.id} p={p} />;
}
