import { call, errorMessage } from '../api';
import { notify } from '../notices';
import { refresh } from '../sync';
import { useUi } from '../ui';
import { Dialog } from './Dialog';

export function ConfirmRemove(props: { name: string; onClose: () => void }) {
  const ui = useUi();
  const remove = async () => {
    try {
      await call('forward.remove', { name: props.name });
      ui.select(null);
      await refresh();
    } catch (e) {
      notify({ tone: 'error', text: errorMessage(e) });
    }
    props.onClose();
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
