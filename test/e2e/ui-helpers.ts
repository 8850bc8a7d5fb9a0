// Small waits for the browser tests (playwright-core has no expect()), and the
// UI sequences several tests go through (the forward form, the host form).
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Locator, Page } from 'playwright-core';
import type { Sshd } from '../support/sshd';

// 25 s: a loaded CI machine can be slow; a wait only takes that long when it fails.
export async function eventually<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 25_000): Promise<T> {
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
  let seen: string | undefined;
  try {
    return await eventually(
      `${re} in ${l}`,
      async () => {
        seen = await textOf(l);
        return re.test(seen) ? seen : undefined;
      },
      timeoutMs,
    );
  } catch (e) {
    throw new Error(`${(e as Error).message} (last seen: ${JSON.stringify(seen)})`);
  }
}

/** The list row of a forward. */
export const row = (page: Page, name: string) => page.locator(`li[data-forward="${name}"]`);

/** A row's state once its tunnel is up and its destination is not failing (before a first connection it is "not yet tried"). */
export const ACTIVE = /^Active(, destination not yet tried)?$/;

/** The state in a forward's list row ("Active", "Stopped", "Failed …"). */
export const rowState = (page: Page, name: string) => row(page, name).locator('.row-state');

/** The details pane of a forward. */
export const detailsPane = (page: Page, name: string) => page.getByRole('complementary', { name: `Details of ${name}` });

/** A dialog by its exact accessible name. */
export const dialogNamed = (page: Page, name: string) => page.getByRole('dialog', { name, exact: true });

/** Turns a running forward off with its switch and waits until its row says Stopped. */
export async function stopForward(page: Page, name: string): Promise<void> {
  await page.getByRole('switch', { name, exact: true }).click();
  await waitForText(rowState(page, name), /^Stopped$/);
}

/** Presses Escape and waits until no dialog is open any more. */
export async function closeWithEscape(page: Page): Promise<void> {
  await page.keyboard.press('Escape');
  await eventually('every dialog closed', async () => (await page.getByRole('dialog').count()) === 0);
}

export async function switchState(page: Page, name: string): Promise<boolean> {
  return (await page.getByRole('switch', { name, exact: true }).getAttribute('aria-checked')) === 'true';
}

/**
 * Connects to a port on 127.0.0.1 (or a Unix socket path), sends `data` and
 * waits until as many bytes come back (an echo server behind the tunnel).
 */
export function echoThrough(to: number | string, data: Buffer): Promise<{ socket: net.Socket; echoed: Buffer }> {
  return new Promise((resolve, reject) => {
    const socket = typeof to === 'string' ? net.connect(to) : net.connect(to, '127.0.0.1');
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

/** The text of what a field's aria-describedby points at (its error, then its hint), as a screen reader reads it with the field. */
export async function describedText(field: Locator): Promise<string> {
  const ids = ((await field.getAttribute('aria-describedby')) ?? '').split(' ').filter(Boolean);
  return (await Promise.all(ids.map((id) => textOf(field.page().locator(`[id="${id}"]`))))).join(' ');
}

/** Asks the page to focus the element (what a script could do; inert elements refuse). */
export const tryFocus = (l: Locator): Promise<void> => l.evaluate((e: PageElement) => e.focus());

/** Dismisses every notice at the bottom of the window (one at a time: each click re-renders the list). */
export async function dismissNotices(page: Page): Promise<void> {
  const buttons = page.getByRole('button', { name: 'Dismiss' });
  for (let i = 0; i < 20 && (await buttons.count()) > 0; i++)
    await buttons
      .first()
      .click({ timeout: 2000 })
      .catch(() => undefined);
}

// ---- The forward form ----

/** Opens the forward form with the toolbar's "Add forward". */
export async function openForwardForm(page: Page): Promise<Locator> {
  await page.getByRole('button', { name: 'Add forward', exact: true }).click();
  const form = dialogNamed(page, 'Add forward');
  await form.waitFor();
  return form;
}

export interface ForwardFields {
  /** Checks the kind's radio button; the port is then the local port, or for 'remote' the remote port. */
  kind?: 'local' | 'remote' | 'dynamic';
  name?: string;
  /** The saved host to go through. */
  host?: string;
  port?: number;
  destinationHost?: string;
  destinationPort?: number;
  group?: string;
}

const KIND_RADIO = { local: /^Local \(-L\)/, remote: /^Remote \(-R\)/, dynamic: /^Dynamic \(-D\)/ } as const;

/** Types a forward into the forward form in the form's order; a field left out is not touched. */
export async function fillForwardForm(form: Locator, f: ForwardFields): Promise<void> {
  if (f.kind) await form.getByRole('radio', { name: KIND_RADIO[f.kind] }).check();
  if (f.name !== undefined) await form.getByLabel('Name', { exact: true }).fill(f.name);
  if (f.host !== undefined) await form.getByLabel('SSH host', { exact: true }).selectOption(f.host);
  if (f.port !== undefined) await form.getByLabel(f.kind === 'remote' ? 'Remote port' : 'Local port', { exact: true }).fill(String(f.port));
  if (f.destinationHost !== undefined) await form.getByLabel('Destination host', { exact: true }).fill(f.destinationHost);
  if (f.destinationPort !== undefined) await form.getByLabel('Destination port', { exact: true }).fill(String(f.destinationPort));
  if (f.group !== undefined) await form.getByLabel('Group', { exact: true }).fill(f.group);
}

// ---- The hosts dialog and the host form ----

/** Opens the hosts dialog (the list of saved hosts) with the toolbar's "Hosts". */
export async function openHostsDialog(page: Page): Promise<Locator> {
  await page.getByRole('button', { name: 'Hosts', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'SSH hosts' });
  await dialog.waitFor();
  return dialog;
}

/** Hosts > Add host: the empty host form. */
export async function openNewHostForm(page: Page): Promise<Locator> {
  const dialog = await openHostsDialog(page);
  await dialog.getByRole('button', { name: 'Add host' }).click();
  const form = page.getByRole('form', { name: 'New host' });
  await form.waitFor();
  return form;
}

/** Hosts > Edit host NAME: the host form with the saved host. */
export async function openEditHostForm(page: Page, name: string): Promise<Locator> {
  const dialog = await openHostsDialog(page);
  await dialog.getByRole('button', { name: `Edit host ${name}` }).click();
  const form = page.getByRole('form', { name: `Edit host ${name}` });
  await form.waitFor();
  return form;
}

/**
 * Types the test sshd's address, user and known_hosts file into a host form as
 * NAME, with key authentication; the key file only when given (a test of the
 * key file picker picks it itself).
 */
export async function fillSshdHost(form: Locator, sshd: Sshd, name: string, opts: { keyFile?: string } = {}): Promise<void> {
  await form.getByLabel('Name', { exact: true }).fill(name);
  await form.getByLabel('Address', { exact: true }).fill('127.0.0.1');
  await form.getByLabel('SSH port', { exact: true }).fill(String(sshd.port));
  await form.getByLabel('User', { exact: true }).fill(sshd.user);
  await form.getByLabel('Authentication', { exact: true }).selectOption('key');
  if (opts.keyFile !== undefined) await form.getByLabel('Key file', { exact: true }).fill(opts.keyFile);
  await form.getByLabel('Known hosts file', { exact: true }).fill(sshd.knownHosts);
}

/** The host form's "Test connection", and waits until it says it connected. */
export async function testConnection(form: Locator): Promise<void> {
  await form.getByRole('button', { name: 'Test connection' }).click();
  await form.getByText(/Connected in \d+ ms/).waitFor();
}

/** The row of a saved host in the hosts dialog's list (its name is the first cell). */
export const hostRow = (page: Page, name: string) =>
  page.getByRole('dialog', { name: 'SSH hosts' }).getByRole('row', { name: new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} `) });

/** "Save host" in the hosts dialog's form, and waits until the list is back and shows the host. */
export async function saveHost(form: Locator, name: string): Promise<void> {
  await form.getByRole('button', { name: 'Save host' }).click();
  await form.waitFor({ state: 'detached' });
  await hostRow(form.page(), name).waitFor();
}

/** Closes the hosts dialog with its Close button and waits until no dialog is open. */
export async function closeHostsDialog(page: Page): Promise<void> {
  await page.getByRole('dialog', { name: 'SSH hosts' }).getByRole('button', { name: 'Close', exact: true }).first().click();
  await eventually('the hosts dialog closed', async () => (await page.getByRole('dialog').count()) === 0);
}

// ---- Accessibility ----

let axeSource: string | undefined;

/**
 * Runs axe-core (injected into the page) against WCAG 2.2 A/AA and axe's best
 * practices, and returns each violation as "rule: target(s)". With a dialog
 * open, the modal is what a person can reach: everything else is inert.
 * Evaluated rather than added as a script tag: the page's CSP refuses inline scripts.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  if (!(await page.evaluate('typeof axe !== "undefined"'))) await page.evaluate(axeSource);
  const results = (await page.evaluate(
    `axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] }, resultTypes: ['violations'] })`,
  )) as {
    violations: { id: string; nodes: { target: string[]; failureSummary?: string }[] }[];
  };
  return results.violations.flatMap((v) =>
    v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}${n.failureSummary ? ` (${n.failureSummary.replace(/\s+/g, ' ').slice(0, 200)})` : ''}`),
  );
}
