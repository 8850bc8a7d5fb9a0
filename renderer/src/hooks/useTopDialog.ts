// The modal dialog on top, if any: what a person can reach while it is open
// (everything outside it is inert), so notices are shown inside it.
import { useEffect, useState } from 'react';

const topDialog = () => [...document.querySelectorAll<HTMLDialogElement>('dialog[open]')].at(-1) ?? null;

export function useTopDialog(): HTMLDialogElement | null {
  const [top, setTop] = useState<HTMLDialogElement | null>(topDialog);
  useEffect(() => {
    const update = () => setTop(topDialog());
    const observer = new MutationObserver(update);
    observer.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['open'] });
    update();
    return () => observer.disconnect();
  }, []);
  return top;
}
