// The host's key file: a combobox (free text, plus the private keys found in
// ~/.ssh by keys.list) and, in the desktop app only, "Browse…" for the system's
// file dialog. Keys Burrow cannot use are listed with a warning, not hidden;
// picking one shows what to do about it.
import { useId } from 'react';
import type { KeyFileCandidate, KeyFileFormat } from '../../../../shared/contract';
import { desktop, errorMessage } from '../../api';
import { notify } from '../../notices';
import { Field } from '../Field';
import { useKeyCombobox } from './useKeyCombobox';

const FORMAT_LABEL: Record<KeyFileFormat, string> = { openssh: 'OpenSSH', pem: 'PEM', pkcs8: 'PKCS#8', putty: 'PuTTY' };

/** "ED25519, OpenSSH, passphrase" */
function describe(k: KeyFileCandidate): string {
  return [k.type ?? 'unknown type', FORMAT_LABEL[k.format], k.encrypted ? 'passphrase' : null].filter(Boolean).join(' · ');
}

const optionId = (listId: string, i: number) => `${listId}-opt-${i}`;

const matches = (k: KeyFileCandidate, value: string) => {
  const v = value.trim();
  return v !== '' && (k.path === v || k.displayPath === v);
};

export function KeyFilePicker(props: { value: string; onChange: (value: string) => void; error?: string }) {
  const listId = useId();
  const c = useKeyCombobox(props.onChange);
  const { open, expanded, active } = c;
  const chosen = c.keys.find((k) => matches(k, props.value));

  const browse = async () => {
    if (!desktop) return;
    try {
      const path = await desktop.chooseKeyFile();
      if (path) c.pick(path);
    } catch (e) {
      notify({ tone: 'error', text: `The file dialog could not be opened: ${errorMessage(e)}` });
    }
    c.input.current?.focus();
  };

  return (
    <Field label="Key file" error={props.error} hint={<KeyFileHint chosen={chosen} combobox={c} />}>
      {(a) => (
        <div className="combo">
          <div className="combo-row">
            <input
              {...a}
              ref={c.input}
              role="combobox"
              aria-autocomplete="list"
              aria-expanded={expanded}
              aria-controls={listId}
              aria-activedescendant={expanded && active >= 0 ? optionId(listId, active) : undefined}
              value={props.value}
              title={props.value || undefined}
              onChange={(e) => {
                props.onChange(e.target.value);
                c.show(e.target.value);
              }}
              onKeyDown={c.onKeyDown}
              // The list opens from the field itself, not only from the small ▾.
              onClick={() => {
                if (!open) c.show(null);
              }}
              onBlur={c.close}
              placeholder="~/.ssh/id_ed25519"
              spellCheck={false}
              autoComplete="off"
            />
            <button
              type="button"
              className="combo-toggle"
              tabIndex={-1}
              aria-label="Show the keys in ~/.ssh"
              aria-expanded={expanded}
              aria-controls={listId}
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => {
                if (open) c.close();
                else c.show(null);
                c.input.current?.focus();
              }}
            >
              <span aria-hidden="true">▾</span>
            </button>
            {desktop && (
              <button type="button" onClick={() => void browse()}>
                Browse…
              </button>
            )}
          </div>
          <KeyOptions id={listId} combobox={c} />
        </div>
      )}
    </Field>
  );
}

type Combobox = ReturnType<typeof useKeyCombobox>;

/** What the chosen key is (or what is wrong with it), what the open list found, or what to type. */
function KeyFileHint({ chosen, combobox: c }: { chosen: KeyFileCandidate | undefined; combobox: Combobox }) {
  const { list, keys } = c;
  return chosen?.warning ? (
    <p className="warning" role="note">
      {chosen.warning}
    </p>
  ) : chosen ? (
    <span className="muted">
      {describe(chosen)}
      {chosen.encrypted ? ': Burrow asks for the passphrase when connecting' : ''}
      {chosen.publicKey ? `; public key ${chosen.displayPath}.pub` : ''}.
    </span>
  ) : c.open && list && c.shown.length === 0 ? (
    <span className="muted" role="status">
      {list.problem ??
        (keys.length === 0 ? `No private keys in ${list.dir}; type the path of the key file.` : 'No key in the list matches; the path typed is used as it is.')}
    </span>
  ) : (
    <span className="muted">Path of the private key on this computer{keys.length ? `, or one of the ${keys.length} in ~/.ssh` : ''}.</span>
  );
}

/** The keys found, as the listbox's options. */
function KeyOptions({ id, combobox: c }: { id: string; combobox: Combobox }) {
  return (
    <ul className="combo-list" id={id} role="listbox" aria-label="Private keys in ~/.ssh" hidden={!c.expanded}>
      {c.expanded &&
        c.shown.map((k, i) => (
          <li
            key={k.path}
            id={optionId(id, i)}
            role="option"
            aria-selected={i === c.active}
            className={`combo-option ${i === c.active ? 'active' : ''} ${k.warning ? 'unusable' : ''}`}
            onMouseDown={(e) => e.preventDefault()}
            onMouseMove={() => c.setActive(i)}
            onClick={() => c.choose(k)}
          >
            <span className="combo-path mono">{k.displayPath}</span>
            <span className="combo-meta">
              {describe(k)}
              {k.warning && <span className="warning"> · Burrow cannot use it as is</span>}
            </span>
          </li>
        ))}
    </ul>
  );
}
