// Desktop notifications: fail / drop / recover (through the rate-limiting
// policy), and tray actions that failed.
import { Notification } from 'electron';
import type { NotificationKind } from '../desktop/notify-policy';

export function showNotification(n: { title: string; body: string; kind?: NotificationKind }, onClick: () => void): void {
  if (!Notification.isSupported()) return;
  const note = new Notification({ title: n.title, body: n.body, silent: n.kind === 'recovered' });
  note.on('click', onClick);
  note.show();
}
