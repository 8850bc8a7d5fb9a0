// Saving the forward form: add or replace the forward (with the SOCKS password
// to keep, replace or forget), select its row and give it the focus, start it
// when asked; the main process's refusals go back to the fields they are about.
import { useState } from 'react';
import type { Forward } from '../../../../shared/model';
import { reportStartFailure, startForward } from '../../actions';
import { ApiError, call, errorMessage } from '../../api';
import { focusAfterClose } from '../../focus';
import { isRunning } from '../../forward-meta';
import type { FormState } from '../../hooks/useForm';
import { store } from '../../store';
import { useUi } from '../../ui';
import { firstByField } from '../Field';
import { fieldOfPath, socksSecretToSend, type Draft } from './draft';
import type { useForwardValidation } from './useForwardValidation';

export function useSaveForward(
  form: FormState<Draft>,
  { parsed, errors }: ReturnType<typeof useForwardValidation>,
  original: Forward | undefined,
  onClose: () => void,
) {
  const ui = useUi();
  const [saving, setSaving] = useState(false);
  const save = async (start: boolean) => {
    form.submit();
    if (!parsed.success || Object.keys(errors).length) return form.refuse();
    setSaving(true);
    try {
      const secret = socksSecretToSend(form.draft, original);
      // Saved is saved: a start that fails afterwards comes back as startError, and the row shows it with its fixes.
      const view = original
        ? await call('forward.update', { name: original.name, forward: parsed.data, ...(secret !== undefined ? { secret } : {}) })
        : await call('forward.add', { forward: parsed.data, start, ...(typeof secret === 'string' ? { secret } : {}) });
      store.mergeView(view);
      ui.select(view.forward.name);
      const dialog = form.ref.current?.closest('dialog') ?? null;
      onClose();
      // The saved forward's row takes the focus (the button that opened the form may be gone, e.g. Customize… of a preset).
      focusAfterClose(dialog, () => document.querySelector<HTMLElement>(`li[data-forward="${CSS.escape(view.forward.name)}"]`));
      if (view.startError) void reportStartFailure(view.forward.name, view.startError, ui);
      else if (original && start && !isRunning(view.state.state)) void startForward(view.forward.name, ui);
    } catch (e) {
      if (e instanceof ApiError && e.failure.issues?.length)
        form.setServerErrors(
          firstByField(e.failure.issues.map((i) => ({ ...i, field: i.field.startsWith('forward.') ? fieldOfPath(i.field.slice(8).split('.')) : i.field }))),
        );
      else form.setServerErrors({ '(form)': errorMessage(e) });
    } finally {
      setSaving(false);
    }
  };
  return { save, saving };
}
