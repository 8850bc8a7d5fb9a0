// Who may call the API over Electron IPC: only the top frame of a page loaded
// from the app's own protocol and host (or, in development, the dev server).
export interface SenderFrame {
  url: string;
  /** True when the frame has no parent (the top frame). */
  isTopFrame: boolean;
}

export function isTrustedSender(frame: SenderFrame | null | undefined, trustedOrigins: readonly string[]): boolean {
  if (!frame || !frame.isTopFrame) return false;
  let u: URL;
  try {
    u = new URL(frame.url);
  } catch {
    return false;
  }
  // URL.origin is "null" for non-special schemes such as burrow:; compare protocol + host.
  const origin = `${u.protocol}//${u.host}`;
  return trustedOrigins.includes(origin) && !u.username && !u.password;
}
