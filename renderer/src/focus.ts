// Moving the focus after a dialog closed: closing gives it back to the element
// that opened the dialog, which may be gone (the details pane of a removed
// forward), and then it would fall to <body>.

/** Focuses what `target` finds once the dialog `from` has closed (checked each frame, for at most a second). */
export function focusAfterClose(from: HTMLDialogElement | null, target: () => HTMLElement | null | undefined): void {
  let frames = 60;
  const step = () => {
    if (from?.open && from.isConnected && --frames > 0) return void requestAnimationFrame(step);
    target()?.focus();
  };
  requestAnimationFrame(step);
}
