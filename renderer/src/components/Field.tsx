// A labelled form field with its error and hint tied to it for screen readers,
// and the two boxes most fields are: a text box and a drop-down list.
import { useId, type InputHTMLAttributes, type ReactNode, type Ref } from 'react';

interface FieldShape {
  label: string;
  error?: string;
  /** Plain text shows muted; pass an element for anything else (a warning, a button). */
  hint?: ReactNode;
  className?: string;
}

export function Field(props: FieldShape & { children: (a: { id: string; 'aria-invalid': boolean; 'aria-describedby'?: string }) => ReactNode }) {
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
          {typeof props.hint === 'string' ? <span className="muted">{props.hint}</span> : props.hint}
        </div>
      )}
    </div>
  );
}

/** A field holding one text box; the rest of the props go to the box. */
export function TextField({
  label,
  error,
  hint,
  className,
  value,
  onValue,
  ...box
}: FieldShape & { value: string; onValue: (v: string) => void } & Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'value' | 'onChange'>) {
  return (
    <Field label={label} error={error} hint={hint} className={className}>
      {(a) => <input {...a} {...box} value={value} onChange={(e) => onValue(e.target.value)} />}
    </Field>
  );
}

/** A field holding a drop-down list of `options`. */
export function SelectField<V extends string>(
  props: FieldShape & { value: V; onValue: (v: V) => void; options: readonly { value: V; label: string }[]; ref?: Ref<HTMLSelectElement> },
) {
  return (
    <Field label={props.label} error={props.error} hint={props.hint} className={props.className}>
      {(a) => (
        <select {...a} ref={props.ref} value={props.value} onChange={(e) => props.onValue(e.target.value as V)}>
          {props.options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </Field>
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
