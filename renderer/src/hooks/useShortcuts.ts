// Keyboard shortcuts: N new forward, / or Ctrl+F search, T or Space toggles the
// selected row, arrows move the selection. Ignored while typing or in a dialog.
import { useEffect, useRef } from 'react';

export interface Shortcuts {
  newForward(): void;
  search(): void;
  toggleSelected(): void;
  move(delta: number): void;
  clear(): void;
}

const typing = (t: EventTarget | null) => t instanceof HTMLElement && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName));

export function useShortcuts(s: Shortcuts) {
  const ref = useRef(s);
  ref.current = s;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (document.querySelector('dialog[open]')) return;
      const mod = e.ctrlKey || e.metaKey;
      if (mod && e.key.toLowerCase() === 'f') {
        e.preventDefault();
        return ref.current.search();
      }
      if (mod && e.key.toLowerCase() === 'n') {
        e.preventDefault();
        return ref.current.newForward();
      }
      if (typing(e.target) || mod || e.altKey) return;
      const onButton = e.target instanceof HTMLButtonElement;
      if (e.key === 'n' || e.key === 'N') ref.current.newForward();
      else if (e.key === '/') ref.current.search();
      else if (e.key === 't' || e.key === 'T' || (e.key === ' ' && !onButton)) ref.current.toggleSelected();
      else if (e.key === 'ArrowDown' || e.key === 'j') ref.current.move(1);
      else if (e.key === 'ArrowUp' || e.key === 'k') ref.current.move(-1);
      else if (e.key === 'Escape') ref.current.clear();
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
