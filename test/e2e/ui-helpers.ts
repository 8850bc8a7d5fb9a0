// Small waits for the browser tests (playwright-core has no expect()).
import net from 'node:net';
import type { Locator, Page } from 'playwright-core';

export async function eventually<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v as T;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const textOf = async (l: Locator) => (await l.textContent()) ?? '';

export async function waitForText(l: Locator, re: RegExp, timeoutMs?: number): Promise<string> {
  return eventually(`${re} in ${l}`, async () => {
    const t = await textOf(l);
    return re.test(t) ? t : undefined;
  }, timeoutMs);
}

/** The list row of a forward. */
export const row = (page: Page, name: string) => page.locator(`li[data-forward="${name}"]`);

export async function switchState(page: Page, name: string): Promise<boolean> {
  return (await page.getByRole('switch', { name, exact: true }).getAttribute('aria-checked')) === 'true';
}

/** Opens a TCP connection, sends `data` and waits until the same bytes come back (an echo server behind the tunnel). */
export function echoThrough(port: number, data: Buffer): Promise<{ socket: net.Socket; echoed: Buffer }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('error', reject);
    socket.on('data', (d) => {
      chunks.push(d);
      const all = Buffer.concat(chunks);
      if (all.length >= data.length) resolve({ socket, echoed: all });
    });
    socket.on('connect', () => socket.write(data));
  });
}

export function connectionRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.on('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
  });
}

/** The bits of a DOM element the tests touch in the page (the tests' tsconfig has no DOM types). */
interface PageElement {
  ownerDocument: { activeElement: unknown };
  focus(): void;
}

/** Whether the element has the keyboard focus. */
export const focused = (l: Locator): Promise<boolean> => l.evaluate((e: PageElement) => e === e.ownerDocument.activeElement);

/** Asks the page to focus the element (what a script could do; inert elements refuse). */
export const tryFocus = (l: Locator): Promise<void> => l.evaluate((e: PageElement) => e.focus());

/** Dismisses every notice at the bottom of the window (one at a time: each click re-renders the list). */
export async function dismissNotices(page: Page): Promise<void> {
  const buttons = page.getByRole('button', { name: 'Dismiss' });
  for (let i = 0; i < 20 && (await buttons.count()) > 0; i++) await buttons.first().click({ timeout: 2000 }).catch(() => undefined);
}
