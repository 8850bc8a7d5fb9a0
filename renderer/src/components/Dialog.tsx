// A modal dialog on the native <dialog> element: focus trapping, Escape and the
// dialog role come from the browser. Dialogs stack: one opened from another
// goes on top, Escape closes only the top one, and closing it gives the focus
// back to what had it before (the button that opened it).
import { useEffect, useId, useLayoutEffect, useRef, useState, type ReactNode } from 'react';

export function Dialog(props: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  wide?: boolean;
  role?: 'dialog' | 'alertdialog';
  className?: string;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const onClose = useRef(props.onClose);
  onClose.current = props.onClose;
  // The body mounts once the dialog is open, so that autoFocus finds it focusable.
  const [shown, setShown] = useState(false);
  useEffect(() => {
    const d = ref.current!;
    // Escape fires 'cancel' on the top dialog only; the app decides whether to close.
    const cancel = (e: Event) => {
      e.preventDefault();
      onClose.current();
    };
    // Chromium skips 'cancel' for a second Escape without a click or key in between
    // and closes the dialog itself: keep the app's state in step.
    const closed = () => {
      if (!d.open && d.isConnected) onClose.current();
    };
    d.addEventListener('cancel', cancel);
    d.addEventListener('close', closed);
    return () => {
      d.removeEventListener('cancel', cancel);
      d.removeEventListener('close', closed);
    };
  }, []);
  // Opened and closed around the DOM change (layout effects), so that closing
  // happens while the element is still in the document and the browser moves
  // the focus back to the element that had it before.
  useLayoutEffect(() => {
    const d = ref.current!;
    if (!d.open) d.showModal();
    setShown(true);
    return () => {
      if (d.open) d.close();
    };
  }, []);
  return (
    <dialog ref={ref} className={`dialog ${props.wide ? 'wide' : ''} ${props.className ?? ''}`} aria-labelledby={titleId} role={props.role}>
      <header className="dialog-head">
        <h2 id={titleId}>{props.title}</h2>
        <button type="button" className="icon-button" aria-label="Close" onClick={() => props.onClose()}>
          ×
        </button>
      </header>
      <div className="dialog-body">{shown && props.children}</div>
    </dialog>
  );
}
