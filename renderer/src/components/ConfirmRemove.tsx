import { call, errorMessage } from '../api';
import { focusAfterClose } from '../focus';
import { notify } from '../notices';
import { refresh } from '../sync';
import { useUi } from '../ui';
import { Dialog } from './Dialog';

/** The row after this one in the list (or before it, for the last): where the selection and the focus go next. */
function neighbour(name: string): string | null {
  const rows = [...document.querySelectorAll<HTMLElement>('li.row')];
  const i = rows.findIndex((r) => r.dataset.forward === name);
  return (rows[i + 1] ?? rows[i - 1])?.dataset.forward ?? null;
}

export function ConfirmRemove(props: { name: string; onClose: () => void }) {
  const ui = useUi();
  const remove = async () => {
    const next = neighbour(props.name);
    try {
      await call('forward.remove', { name: props.name });
      ui.select(next);
      await refresh();
    } catch (e) {
      notify({ tone: 'error', text: errorMessage(e) });
    }
    const dialog = document.activeElement?.closest('dialog') ?? null;
    props.onClose();
    focusAfterClose(dialog, () =>
      next ? document.querySelector<HTMLElement>(`li[data-forward="${CSS.escape(next)}"]`) : document.querySelector<HTMLElement>('.toolbar button.primary'),
    );
  };
  return (
    <Dialog title={`Remove ${props.name}?`} onClose={props.onClose}>
      <p>The forward stops and its settings are deleted. The host stays.</p>
      <footer className="dialog-actions">
        <button type="button" onClick={props.onClose} autoFocus>
          Cancel
        </button>
        <button type="button" className="danger primary" onClick={remove}>
          Remove forward
        </button>
      </footer>
    </Dialog>
  );
}
