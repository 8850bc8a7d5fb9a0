// The host's key file: a combobox (free text, plus the private keys found in
// ~/.ssh by keys.list) and, in the desktop app only, "Browse…" for the system's
// file dialog. Keys Burrow cannot use are listed with a warning, not hidden;
// picking one shows what to do about it.
import { useCallback, useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { KeyFileCandidate, KeyFileFormat, KeyFileList } from '../../../../shared/contract';
import { call, desktop, errorMessage } from '../../api';
import { notify } from '../../notices';
import { Field } from '../Field';

const FORMAT_LABEL: Record<KeyFileFormat, string> = { openssh: 'OpenSSH', pem: 'PEM', pkcs8: 'PKCS#8', putty: 'PuTTY' };

/** "ED25519, OpenSSH, passphrase" */
function describe(k: KeyFileCandidate): string {
  return [k.type ?? 'unknown type', FORMAT_LABEL[k.format], k.encrypted ? 'passphrase' : null].filter(Boolean).join(' · ');
}

const matches = (k: KeyFileCandidate, value: string) => {
  const v = value.trim();
  return v !== '' && (k.path === v || k.displayPath === v);
};

export function KeyFilePicker(props: { value: string; onChange: (value: string) => void; error?: string }) {
  const [list, setList] = useState<KeyFileList | null>(null);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  /** What was typed since the list opened: filters it. Null shows every key. */
  const [filter, setFilter] = useState<string | null>(null);
  const listId = useId();
  const input = useRef<HTMLInputElement>(null);
  // A picked path shows its end (the file name) in the narrow field.
  const [picked, setPicked] = useState(0);
  useEffect(() => {
    const el = input.current;
    if (picked && el) el.scrollLeft = el.scrollWidth;
  }, [picked]);

  const load = useCallback(() => {
    call('keys.list', {})
      .then(setList)
      .catch((e) => setList({ dir: '~/.ssh', keys: [], problem: errorMessage(e) }));
  }, []);
  useEffect(load, [load]);

  const keys = useMemo(() => list?.keys ?? [], [list]);
  const shown = useMemo(() => {
    const f = filter?.trim().toLowerCase();
    if (!f) return keys;
    return keys.filter((k) => k.displayPath.toLowerCase().includes(f) || k.path.toLowerCase().includes(f));
  }, [keys, filter]);
  const expanded = open && shown.length > 0;
  const chosen = keys.find((k) => matches(k, props.value));
  const optionId = (i: number) => `${listId}-opt-${i}`;

  const show = (withFilter: string | null) => {
    if (!open) load();
    setFilter(withFilter);
    setOpen(true);
    setActive(-1);
  };
  const close = () => {
    setOpen(false);
    setActive(-1);
    setFilter(null);
  };
  const choose = (k: KeyFileCandidate) => {
    props.onChange(k.path);
    setPicked((n) => n + 1);
    close();
    input.current?.focus();
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (!open) {
        show(null);
        setActive(e.key === 'ArrowDown' ? 0 : keys.length - 1);
        return;
      }
      const n = shown.length;
      if (n === 0) return;
      setActive((i) => (e.key === 'ArrowDown' ? (i + 1) % n : i <= 0 ? n - 1 : i - 1));
    } else if (e.key === 'Enter' && expanded && active >= 0 && active < shown.length) {
      // Picks the option instead of submitting the form.
      e.preventDefault();
      choose(shown[active]);
    } else if (e.key === 'Escape' && open) {
      // Closes the list only, not the dialog around it.
      e.preventDefault();
      e.stopPropagation();
      close();
    }
  };

  const browse = async () => {
    if (!desktop) return;
    try {
      const path = await desktop.chooseKeyFile();
      if (path) {
        props.onChange(path);
        setPicked((n) => n + 1);
      }
    } catch (e) {
      notify({ tone: 'error', text: `The file dialog could not be opened: ${errorMessage(e)}` });
    }
    input.current?.focus();
  };

  const hint = chosen?.warning ? (
    <p className="warning" role="note">
      {chosen.warning}
    </p>
  ) : chosen ? (
    <span className="muted">
      {describe(chosen)}
      {chosen.encrypted ? ': Burrow asks for the passphrase when connecting' : ''}
      {chosen.publicKey ? `; public key ${chosen.displayPath}.pub` : ''}.
    </span>
  ) : open && list && shown.length === 0 ? (
    <span className="muted" role="status">
      {list.problem ??
        (keys.length === 0 ? `No private keys in ${list.dir}; type the path of the key file.` : 'No key in the list matches; the path typed is used as it is.')}
    </span>
  ) : (
    `Path of the private key on this computer${keys.length ? `, or one of the ${keys.length} in ~/.ssh` : ''}.`
  );

  return (
    <Field label="Key file" error={props.error} hint={hint}>
      {(a) => (
        <div className="combo">
          <div className="combo-row">
            <input
              {...a}
              ref={input}
              role="combobox"
              aria-autocomplete="list"
              aria-expanded={expanded}
              aria-controls={listId}
              aria-activedescendant={expanded && active >= 0 ? optionId(active) : undefined}
              value={props.value}
              title={props.value || undefined}
              onChange={(e) => {
                props.onChange(e.target.value);
                show(e.target.value);
              }}
              onKeyDown={onKeyDown}
              // The list opens from the field itself, not only from the small ▾.
              onClick={() => {
                if (!open) show(null);
              }}
              onBlur={close}
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
                if (open) close();
                else show(null);
                input.current?.focus();
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
          <ul className="combo-list" id={listId} role="listbox" aria-label="Private keys in ~/.ssh" hidden={!expanded}>
            {expanded &&
              shown.map((k, i) => (
                <li
                  key={k.path}
                  id={optionId(i)}
                  role="option"
                  aria-selected={i === active}
                  className={`combo-option ${i === active ? 'active' : ''} ${k.warning ? 'unusable' : ''}`}
                  onMouseDown={(e) => e.preventDefault()}
                  onMouseMove={() => setActive(i)}
                  onClick={() => choose(k)}
                >
                  <span className="combo-path mono">{k.displayPath}</span>
                  <span className="combo-meta">
                    {describe(k)}
                    {k.warning && <span className="warning"> · Burrow cannot use it as is</span>}
                  </span>
                </li>
              ))}
          </ul>
        </div>
      )}
    </Field>
  );
}
