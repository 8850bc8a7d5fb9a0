// A labelled form field with its error and hint tied to it for screen readers.
import { useId, type ReactNode } from 'react';

export function Field(props: {
  label: string;
  error?: string;
  hint?: ReactNode;
  children: (a: { id: string; 'aria-invalid': boolean; 'aria-describedby'?: string }) => ReactNode;
  className?: string;
}) {
  const id = useId();
  const errId = `${id}-err`;
  const hintId = `${id}-hint`;
  const describedBy = [props.error ? errId : '', props.hint ? hintId : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field ${props.error ? 'has-error' : ''} ${props.className ?? ''}`}>
      <label htmlFor={id}>{props.label}</label>
      {props.children({ id, 'aria-invalid': !!props.error, 'aria-describedby': describedBy })}
      {props.error && (
        // Not an alert of its own: read with the field (aria-describedby); a refused save focuses the first one and says so once.
        <p className="field-error" id={errId}>
          {props.error}
        </p>
      )}
      {props.hint && (
        <div className="field-hint" id={hintId}>
          {props.hint}
        </div>
      )}
    </div>
  );
}

/** Turns zod-style issues ({ path, message }) into the first message per top-level field. */
export function firstByField(issues: { field: string; message: string }[], prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const i of issues) {
    const f = i.field.startsWith(prefix) ? i.field.slice(prefix.length) : i.field;
    const key = f.split('.')[0] || '(form)';
    out[key] ??= i.message;
  }
  return out;
}
