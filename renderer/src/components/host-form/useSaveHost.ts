// Saving the host form: waits for algorithm values not checked yet, adds or
// updates the host with the secret to keep, replace or forget, shows the main
// process's warnings; its refusals go back to the fields they are about.
import { useState } from 'react';
import { HostSchema, type Host, type HostInput } from '../../../../shared/model';
import { ApiError, call, errorMessage } from '../../api';
import type { FormState } from '../../hooks/useForm';
import { notify } from '../../notices';
import { firstByField } from '../Field';
import { ALGORITHM_FIELDS, resolveAll } from './AlgorithmFields';
import { fieldOfPath, toInput, type Draft } from './draft';
import type { useHostSecret } from './SecretField';
import type { useHostValidation } from './useHostValidation';

/** The first message per form field; `path` is within the host ("keepalive.countMax"). */
const byField = (issues: { path: readonly PropertyKey[]; message: string }[]) =>
  firstByField(issues.map((i) => ({ field: fieldOfPath(i.path), message: i.message })));

export function useSaveHost(
  form: FormState<Draft>,
  { checks, parsed, errors }: ReturnType<typeof useHostValidation>,
  secret: ReturnType<typeof useHostSecret>,
  original: Host | undefined,
  onDone: (name?: string) => void,
) {
  const [saving, setSaving] = useState(false);
  const d = form.draft;
  /** The host to save: the one checked as you typed, or once the pending algorithm values are resolved; null when refused. */
  const hostToSave = async (pending: boolean): Promise<HostInput | null> => {
    if (!pending) return parsed.success ? (parsed.data as HostInput) : null;
    const { lists, problems } = await resolveAll(d.algorithms, checks);
    const again = HostSchema.safeParse(toInput(d, original, lists));
    if (Object.keys(problems).length) form.setServerErrors(problems);
    else if (!again.success) form.setServerErrors(byField(again.error.issues));
    return Object.keys(problems).length === 0 && again.success ? (again.data as HostInput) : null;
  };
  const save = async () => {
    form.submit();
    // An algorithm value typed a moment ago may not be checked yet: saving waits for the resolver.
    const pending = ALGORITHM_FIELDS.some((f) => checks[f.field]?.status === 'checking');
    if ((!parsed.success && !pending) || Object.keys(errors).length) return form.refuse();
    setSaving(true);
    try {
      const host = await hostToSave(pending);
      if (!host) return;
      const r = original
        ? await call('host.update', { name: original.name, host, secret: secret.toSend })
        : await call('host.add', { host, secret: secret.toSend ?? undefined });
      for (const w of r.warnings) notify({ tone: 'info', text: w.message }, 8000);
      onDone(r.host.host.name);
    } catch (e) {
      if (e instanceof ApiError && e.failure.issues?.length) {
        // "host.algorithms.kex" stays per algorithm field; the rest go to the form field they are about.
        const inHost = e.failure.issues.map((i) => ({ path: i.field.replace(/^host\./, '').split('.'), message: i.message }));
        form.setServerErrors({
          ...byField(inHost.filter((i) => i.path[0] !== 'algorithms')),
          ...Object.fromEntries(inHost.filter((i) => i.path[0] === 'algorithms').map((i) => [i.path.join('.'), i.message])),
        });
      } else form.setServerErrors({ '(form)': errorMessage(e) });
    } finally {
      setSaving(false);
    }
  };
  return { save, saving };
}
