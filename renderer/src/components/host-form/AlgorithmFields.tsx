// The host form's "Algorithms" disclosure: Ciphers, KexAlgorithms,
// HostKeyAlgorithms and MACs as free text, written as in ssh_config (a list, or
// +list, -list, ^list; * and ? wildcards). Each is checked as you type by the
// engine's own resolver (algorithms.resolve), which also turns it into the
// plain list that is saved: there is one place that knows what ssh2 implements.
import { useEffect, useState } from 'react';
import type { AlgorithmKind } from '../../../../shared/contract';
import type { Algorithms } from '../../../../shared/model';
import { call, errorMessage } from '../../api';
import { Field } from '../Field';

export type AlgorithmField = keyof Algorithms & ('ciphers' | 'kex' | 'hostKey' | 'mac');
export const ALGORITHM_FIELDS: { field: AlgorithmField; kind: AlgorithmKind; label: string; placeholder: string }[] = [
  { field: 'ciphers', kind: 'cipher', label: 'Ciphers', placeholder: 'aes128-gcm@openssh.com,aes256-ctr' },
  { field: 'kex', kind: 'kex', label: 'Key exchange algorithms', placeholder: 'curve25519-sha256' },
  { field: 'hostKey', kind: 'hostKey', label: 'Host key algorithms', placeholder: '^ssh-ed25519' },
  { field: 'mac', kind: 'mac', label: 'MACs', placeholder: '-hmac-sha1*' },
];

export type AlgorithmTexts = Record<AlgorithmField, string>;
export type AlgorithmCheck = { status: 'checking' } | { status: 'ok'; list: string[] } | { status: 'error'; message: string };

export function algorithmTexts(a: Algorithms | undefined): AlgorithmTexts {
  return { ciphers: a?.ciphers?.join(',') ?? '', kex: a?.kex?.join(',') ?? '', hostKey: a?.hostKey?.join(',') ?? '', mac: a?.mac?.join(',') ?? '' };
}

const keyOf = (kind: AlgorithmKind, text: string) => `${kind}\u0000${text.trim()}`;

/** Asks the engine's resolver about a value. */
async function resolveAlgorithm(kind: AlgorithmKind, text: string): Promise<AlgorithmCheck> {
  try {
    return { status: 'ok', list: (await call('algorithms.resolve', { kind, value: text.trim() })).list };
  } catch (e) {
    return { status: 'error', message: errorMessage(e) };
  }
}

/**
 * The lists to save for the typed values, asking the resolver about any not
 * checked yet (a value typed a moment ago); or the problems per field ("algorithms.kex").
 */
export async function resolveAll(
  texts: AlgorithmTexts,
  checks: Record<AlgorithmField, AlgorithmCheck | null>,
): Promise<{ lists: Algorithms; problems: Record<string, string> }> {
  const lists: Record<string, string[]> = {};
  const problems: Record<string, string> = {};
  for (const f of ALGORITHM_FIELDS) {
    if (texts[f.field].trim() === '') continue;
    const c = checks[f.field]?.status === 'ok' ? checks[f.field]! : await resolveAlgorithm(f.kind, texts[f.field]);
    if (c.status === 'ok') lists[f.field] = c.list;
    else if (c.status === 'error') problems[`algorithms.${f.field}`] = c.message;
  }
  return { lists: lists as Algorithms, problems };
}

/** The check of each non-empty field (null for an empty one), asked for a moment after typing stops. */
export function useAlgorithmChecks(texts: AlgorithmTexts): Record<AlgorithmField, AlgorithmCheck | null> {
  const [cache, setCache] = useState<Record<string, AlgorithmCheck>>({});
  const signature = ALGORITHM_FIELDS.map((f) => keyOf(f.kind, texts[f.field])).join('\u0001');
  useEffect(() => {
    const todo = ALGORITHM_FIELDS.filter((f) => texts[f.field].trim() !== '' && !(keyOf(f.kind, texts[f.field]) in cache));
    if (todo.length === 0) return;
    let live = true;
    const t = setTimeout(() => {
      for (const f of todo) {
        const text = texts[f.field];
        void resolveAlgorithm(f.kind, text).then((check) => live && setCache((c) => ({ ...c, [keyOf(f.kind, text)]: check })));
      }
    }, 250);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [signature]); // eslint-disable-line react-hooks/exhaustive-deps
  const out = {} as Record<AlgorithmField, AlgorithmCheck | null>;
  for (const f of ALGORITHM_FIELDS) out[f.field] = texts[f.field].trim() === '' ? null : (cache[keyOf(f.kind, texts[f.field])] ?? { status: 'checking' });
  return out;
}

export function AlgorithmFields(props: {
  texts: AlgorithmTexts;
  checks: Record<AlgorithmField, AlgorithmCheck | null>;
  errors: Partial<Record<AlgorithmField, string>>;
  onChange: (field: AlgorithmField, text: string) => void;
}) {
  // Open when the host has any, or when one of them has a problem.
  const [open, setOpen] = useState(() => ALGORITHM_FIELDS.some((f) => props.texts[f.field].trim() !== ''));
  const problem = ALGORITHM_FIELDS.some((f) => props.errors[f.field]);
  const set = ALGORITHM_FIELDS.filter((f) => props.texts[f.field].trim() !== '').map((f) => f.label);
  return (
    <details className="algorithms" open={open || problem} onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
      <summary>
        Algorithms <span className="muted">{set.length ? `· ${set.join(', ')} set` : '· the defaults'}</span>
      </summary>
      <p className="muted small-text">
        Empty: Burrow's defaults. As in ssh_config: a comma separated list replaces the defaults, <code>+list</code> adds to them, <code>-list</code> removes
        from them, <code>^list</code> puts names first; <code>*</code> and <code>?</code> match several.
      </p>
      <div className="grid2">
        {ALGORITHM_FIELDS.map((f) => {
          const check = props.checks[f.field];
          return (
            <Field
              key={f.field}
              label={f.label}
              error={props.errors[f.field]}
              hint={
                check?.status === 'checking' ? (
                  'Checking…'
                ) : check?.status === 'ok' ? (
                  <span className="muted algorithm-list">Offers, in order: {check.list.join(', ')}</span>
                ) : !check ? (
                  'The defaults.'
                ) : undefined
              }
            >
              {(a) => (
                <input
                  {...a}
                  value={props.texts[f.field]}
                  onChange={(e) => props.onChange(f.field, e.target.value)}
                  placeholder={f.placeholder}
                  spellCheck={false}
                  autoComplete="off"
                />
              )}
            </Field>
          );
        })}
      </div>
    </details>
  );
}
