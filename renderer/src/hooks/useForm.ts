// The state every form of the window keeps the same way: the draft, which
// fields were touched, whether a save was tried, the main process's errors per
// field, and the focus on the first invalid field when a save is refused.
import { useState } from 'react';
import { useFocusFirstInvalid } from '../focus';

export function useForm<D extends object>(initial: () => D, opts: { fieldOf?: (k: keyof D) => string } = {}) {
  const [draft, setDraft] = useState<D>(initial);
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [submitted, setSubmitted] = useState(false);
  const [serverErrors, setServerErrors] = useState<Record<string, string>>({});
  const invalid = useFocusFirstInvalid<HTMLFormElement>();
  const fieldOf = opts.fieldOf ?? ((k: keyof D) => String(k));

  const touch = (...fields: string[]) => setTouched((t) => ({ ...t, ...Object.fromEntries(fields.map((f) => [f, true])) }));
  return {
    draft,
    setDraft,
    touched,
    submitted,
    serverErrors,
    setServerErrors,
    touch,
    /** The form element: the first invalid field inside it takes the focus on refuse(). */
    ref: invalid.ref,
    /** Changes one field: touched from now on, and the main process's errors about it (and the form's) are stale. */
    set<K extends keyof D>(k: K, v: D[K]) {
      setDraft((cur) => ({ ...cur, [k]: v }));
      const field = fieldOf(k);
      touch(field);
      // Its own, its parts' ("algorithms.kex") and the form's.
      const stale = (key: string) => key === String(k) || key === field || key.startsWith(`${field}.`) || key === '(form)';
      setServerErrors((e) => Object.fromEntries(Object.entries(e).filter(([key]) => !stale(key))));
    },
    /** The error to show for a field: only once it was touched or a save was tried. */
    shown: (errors: Record<string, string | undefined>, field: string) => (touched[field] || submitted ? errors[field] : undefined),
    /** A save (or test) was tried: every error shows from now on. */
    submit: () => setSubmitted(true),
    /** A save was refused: the first invalid field takes the focus. */
    refuse: () => invalid.request(),
  };
}

/** What a part of a form gets: the draft, the setter of a field, and the error to show for a field. */
export interface FormPart<D extends object> {
  d: D;
  set: <K extends keyof D>(k: K, v: D[K]) => void;
  shown: (field: string) => string | undefined;
}

/** What useForm gives a form, for the hooks that save it. */
export type FormState<D extends object> = ReturnType<typeof useForm<D>>;
