// Desktop notifications for fail / drop / recover, through the rate-limiting policy.
import { Notification } from 'electron';
import type { DesktopNotification } from '../shell/notify-policy';

export function showNotification(n: DesktopNotification, onClick: () => void): void {
  if (!Notification.isSupported()) return;
  const note = new Notification({ title: n.title, body: n.body, silent: n.kind === 'recovered' });
  note.on('click', onClick);
  note.show();
}
