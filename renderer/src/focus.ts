import { useEffect, useRef, useState, type RefObject } from 'react';
// Moving the focus after a dialog closed: closing gives it back to the element
// that opened the dialog, which may be gone (the details pane of a removed
// forward), and then it would fall to <body>.

/**
 * Focuses what `target` finds once the dialog `from` has closed and the target
 * is rendered (checked each frame, for at most a second).
 */
export function focusAfterClose(from: HTMLDialogElement | null, target: () => HTMLElement | null | undefined): void {
  let frames = 60;
  const step = () => {
    const el = from?.open && from.isConnected ? null : target();
    if (el) el.focus();
    if ((!el || document.activeElement !== el) && --frames > 0) requestAnimationFrame(step);
  };
  requestAnimationFrame(step);
}

/**
 * For a form saved with errors: call request() when the save is refused; once
 * the errors are shown, the first invalid field gets the focus (its message is
 * read with it), and the form's one summary alert says what to do.
 */
export function useFocusFirstInvalid<T extends HTMLElement>(): { ref: RefObject<T | null>; request: () => void } {
  const ref = useRef<T>(null);
  const [asked, setAsked] = useState(0);
  useEffect(() => {
    if (asked) ref.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [asked]);
  return { ref, request: () => setAsked((n) => n + 1) };
}

/** The list row of a forward (focusable: it takes the roving focus). */
export const forwardRow = (name: string) => document.querySelector<HTMLElement>(`li[data-forward="${CSS.escape(name)}"]`);

/** The latest refocusWhenLost: an earlier one still watching gives way. */
let refocusTurn = 0;

/**
 * For actions whose control goes away (Retry now, a notice's fix, a prompt's
 * answer): for the next two seconds, whenever the focus has fallen to <body>
 * with no dialog open, it goes to `target` instead.
 */
export function refocusWhenLost(target: () => HTMLElement | null | undefined): void {
  const turn = ++refocusTurn;
  const until = performance.now() + 2000;
  const step = () => {
    if (turn !== refocusTurn) return;
    const lost = !document.activeElement || document.activeElement === document.body;
    if (lost && !document.querySelector('dialog[open]')) target()?.focus();
    if (performance.now() < until) requestAnimationFrame(step);
  };
  requestAnimationFrame(step);
}
