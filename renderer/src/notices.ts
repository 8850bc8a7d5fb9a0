// Short-lived messages at the bottom of the window, each with its one-click fixes.
export interface NoticeAction {
  label: string;
  run: () => void | Promise<void>;
}

export interface Notice {
  id: number;
  tone: 'info' | 'error';
  text: string;
  actions?: NoticeAction[];
  /** The forward it is about: its row takes the focus after a fix, and applying a fix elsewhere dismisses it. */
  forward?: string;
}

let notices: Notice[] = [];
let nextId = 1;
const listeners = new Set<() => void>();
const changed = () => listeners.forEach((l) => l());

export const noticeStore = {
  subscribe(l: () => void) {
    listeners.add(l);
    return () => listeners.delete(l);
  },
  get: () => notices,
};

export function notify(n: Omit<Notice, 'id'>, ttlMs = n.tone === 'error' ? 12_000 : 4000): number {
  const id = nextId++;
  notices = [...notices.slice(-3), { ...n, id }];
  changed();
  setTimeout(() => dismiss(id), ttlMs);
  return id;
}

export function dismiss(id: number) {
  if (!notices.some((n) => n.id === id)) return;
  notices = notices.filter((n) => n.id !== id);
  changed();
}

/** Dismisses the error notices about a forward (a fix was applied from elsewhere). */
export function dismissAbout(forward: string) {
  for (const n of notices) if (n.forward === forward && n.tone === 'error') dismiss(n.id);
}
