// The key file combobox's state: the keys found in ~/.ssh (asked again each
// time the list opens), what is typed filtering them, the active option, and
// the keyboard (arrows, Enter picks, Escape closes the list only).
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { KeyFileCandidate, KeyFileList } from '../../../../shared/contract';
import { call, errorMessage } from '../../api';

export function useKeyCombobox(onChange: (value: string) => void) {
  const [list, setList] = useState<KeyFileList | null>(null);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  /** What was typed since the list opened: filters it. Null shows every key. */
  const [filter, setFilter] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  // A picked path shows its end (the file name) in the narrow field.
  const [picked, setPicked] = useState(0);
  useEffect(() => {
    const el = input.current;
    if (picked && el) el.scrollLeft = el.scrollWidth;
  }, [picked]);

  const load = useCallback(() => {
    call('keys.list', {})
      .then(setList)
      .catch((e) => setList({ dir: '~/.ssh', keys: [], problem: errorMessage(e) }));
  }, []);
  useEffect(load, [load]);

  const keys = useMemo(() => list?.keys ?? [], [list]);
  const shown = useMemo(() => {
    const f = filter?.trim().toLowerCase();
    if (!f) return keys;
    return keys.filter((k) => k.displayPath.toLowerCase().includes(f) || k.path.toLowerCase().includes(f));
  }, [keys, filter]);
  const expanded = open && shown.length > 0;

  const show = (withFilter: string | null) => {
    if (!open) load();
    setFilter(withFilter);
    setOpen(true);
    setActive(-1);
  };
  const close = () => {
    setOpen(false);
    setActive(-1);
    setFilter(null);
  };
  /** A path set from outside the field (a picked option, the file dialog). */
  const pick = (path: string) => {
    onChange(path);
    setPicked((n) => n + 1);
  };
  const choose = (k: KeyFileCandidate) => {
    pick(k.path);
    close();
    input.current?.focus();
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (!open) {
        show(null);
        setActive(e.key === 'ArrowDown' ? 0 : keys.length - 1);
        return;
      }
      const n = shown.length;
      if (n === 0) return;
      setActive((i) => (e.key === 'ArrowDown' ? (i + 1) % n : i <= 0 ? n - 1 : i - 1));
    } else if (e.key === 'Enter' && expanded && active >= 0 && active < shown.length) {
      // Picks the option instead of submitting the form.
      e.preventDefault();
      choose(shown[active]);
    } else if (e.key === 'Escape' && open) {
      // Closes the list only, not the dialog around it.
      e.preventDefault();
      e.stopPropagation();
      close();
    }
  };

  return { list, keys, shown, open, expanded, active, setActive, input, show, close, pick, choose, onKeyDown };
}
