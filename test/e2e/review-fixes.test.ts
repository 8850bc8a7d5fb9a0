// The review's medium defects, in real Chromium against the real engine and
// sshd: notices raised under a modal dialog, where the focus goes after a
// removal, the Failing filter, the row's accessible name and its reason, long names.
import net from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startSshd, type Sshd } from '../support/sshd';
import { echoServer, type TestServer } from '../support/tcp';
import { closeAll, dispatchOk, localForwardInput, openApp, reloadIfDialogOpen, sshdHostInput, startWorld, type World } from './harness';
import {
  ACTIVE,
  detailsPane,
  dialogNamed,
  eventually,
  fillForwardForm,
  focused,
  hostRow,
  openForwardForm,
  openHostsDialog,
  row,
  rowState,
  textOf,
  waitForText,
} from './ui-helpers';

let sshd: Sshd;
let echo: TestServer;
let world: World;
let page: Page;
const dispatch = (c: string, i: unknown) => dispatchOk(world, c, i);

beforeAll(async () => {
  sshd = await startSshd();
  echo = await echoServer();
  world = await startWorld();
  await dispatch('host.add', { host: sshdHostInput(sshd, 'mail') });
  ({ page } = await openApp(world));
}, 120_000);

afterEach(() => reloadIfDialogOpen(page));

afterAll(() => closeAll(page?.context(), world, echo, sshd));

describe('review fixes', () => {
  it('a notice raised while a modal dialog is open shows inside it, reachable and dismissable', async () => {
    await page.getByRole('banner').getByRole('button', { name: 'Export', exact: true }).click();
    const dialog = dialogNamed(page, 'Export');
    await dialog.getByRole('button', { name: 'Copy', exact: true }).click();
    const notice = dialog.getByRole('status').filter({ hasText: 'Copied the export.' });
    await notice.waitFor({ timeout: 5_000 });
    await notice.getByRole('button', { name: 'Dismiss' }).click({ timeout: 5_000 });
    await notice.waitFor({ state: 'detached' });
    await page.keyboard.press('Escape');
  }, 60_000);

  it('after Remove forward the focus is on the next row, which is selected', async () => {
    for (const n of ['rm-a', 'rm-b', 'rm-c']) await dispatch('forward.add', { forward: await localForwardInput(n, 'mail', echo.port) });
    await row(page, 'rm-c').waitFor();
    await row(page, 'rm-b').click();
    await detailsPane(page, 'rm-b').getByRole('button', { name: 'Remove', exact: true }).click();
    await dialogNamed(page, 'Remove rm-b?').getByRole('button', { name: 'Remove forward' }).click();
    await row(page, 'rm-b').waitFor({ state: 'detached' });
    await eventually('the focus on the next row', () => focused(row(page, 'rm-c')));
    await detailsPane(page, 'rm-c').waitFor();
    for (const n of ['rm-a', 'rm-c']) await dispatch('forward.remove', { name: n });
  }, 60_000);

  it('Remove host asks first; afterwards the focus stays in the hosts dialog, on the next host', async () => {
    for (const n of ['host-a', 'host-b']) await dispatch('host.add', { host: sshdHostInput(sshd, n) });
    const dialog = await openHostsDialog(page);
    // Removing asks first; Cancel keeps the host.
    await dialog.getByRole('button', { name: 'Remove host host-a' }).click();
    await dialogNamed(page, 'Remove host host-a?').getByRole('button', { name: 'Cancel' }).click();
    await hostRow(page, 'host-a').waitFor();
    await dialog.getByRole('button', { name: 'Remove host host-a' }).click();
    await dialogNamed(page, 'Remove host host-a?').getByRole('button', { name: 'Remove host', exact: true }).click();
    await hostRow(page, 'host-a').waitFor({ state: 'detached' });
    await eventually('the focus on the next host', () => focused(dialog.getByRole('button', { name: 'Edit host host-b' })));
    await dialog.getByRole('button', { name: 'Remove host host-b' }).click();
    await dialogNamed(page, 'Remove host host-b?').getByRole('button', { name: 'Remove host', exact: true }).click();
    await hostRow(page, 'host-b').waitFor({ state: 'detached' });
    await eventually('the focus on the next host', () => focused(dialog.getByRole('button', { name: 'Edit host mail' })));
    await page.keyboard.press('Escape');
  }, 60_000);

  it('"Failing" finds an active forward whose destination fails, and the row says so to assistive technology', async () => {
    const closed = await freePort();
    const input = await localForwardInput('refusing', 'mail', closed);
    await dispatch('forward.add', { forward: input, start: true });
    await dispatch('forward.add', { forward: await localForwardInput('fine', 'mail', echo.port), start: true });
    await waitForText(rowState(page, 'refusing'), ACTIVE);
    await new Promise<void>((resolve) => {
      const s = net.connect(input.listen.port, '127.0.0.1');
      s.on('error', () => resolve());
      s.on('close', () => resolve());
    });
    await waitForText(rowState(page, 'refusing'), /destination failing/i);
    expect(await row(page, 'refusing').getAttribute('aria-label')).toBe('refusing, Active, destination failing');
    // The clamped reason leads with the cause; the engine's whole message is its tooltip.
    const reason = rowState(page, 'refusing').locator('.state-reason');
    expect(await textOf(reason)).toBe(`Connection refused by 127.0.0.1:${closed}`);
    expect(await reason.getAttribute('title')).toMatch(/refused/);

    await page.getByLabel('Filter by state', { exact: true }).selectOption('problems');
    await row(page, 'refusing').waitFor();
    await row(page, 'fine').waitFor({ state: 'detached' });
    await page.getByLabel('Filter by state', { exact: true }).selectOption('all');
    for (const n of ['refusing', 'fine']) await dispatch('forward.remove', { name: n });
  }, 60_000);

  it('saving a form with errors focuses the first invalid field and announces one summary', async () => {
    const form = await openForwardForm(page);
    await fillForwardForm(form, { name: 'bad name', port: 70000, destinationHost: '', destinationPort: 0 });
    await form.getByRole('button', { name: 'Save', exact: true }).click();
    await eventually('the focus on the first invalid field', () => focused(form.getByLabel('Name', { exact: true })));
    const alerts = form.getByRole('alert');
    expect(await alerts.count()).toBe(1);
    expect(await textOf(alerts)).toBe('Fix the fields marked above, then save again.');
    // Each field's message is read with the field.
    const describedBy = (await form.getByLabel('Local port', { exact: true }).getAttribute('aria-describedby'))!.split(' ')[0];
    expect(await textOf(form.locator(`[id="${describedBy}"]`))).toBe('Local port must be between 1 and 65535 (got 70000).');
    await page.keyboard.press('Escape');
  }, 60_000);

  it("the forward form's placeholders read as examples or defaults, not as values", async () => {
    const form = await openForwardForm(page);
    const placeholder = (label: string) => form.getByLabel(label, { exact: true }).getAttribute('placeholder');
    expect(await placeholder('Local port')).toBe('e.g. 1100');
    expect(await placeholder('Destination host')).toBe('e.g. localhost');
    expect(await placeholder('Destination port')).toBe('e.g. 110');
    expect(await placeholder('Bind address')).toBe('default: 127.0.0.1');
    await page.keyboard.press('Escape');
  }, 60_000);

  it('a health result is forgotten when the forward restarts', async () => {
    await dispatch('forward.add', { forward: await localForwardInput('healthy', 'mail', echo.port), start: true });
    await waitForText(rowState(page, 'healthy'), ACTIVE);
    await row(page, 'healthy').click();
    const details = detailsPane(page, 'healthy');
    await details.getByRole('button', { name: 'Health check' }).click();
    const result = details.getByText(/^Healthy, round trip/);
    await result.waitFor();
    await details.getByRole('button', { name: 'Restart', exact: true }).click();
    await result.waitFor({ state: 'detached' });
    await waitForText(rowState(page, 'healthy'), ACTIVE);
    expect(await result.count()).toBe(0);
    await dispatch('forward.remove', { name: 'healthy' });
  }, 60_000);

  it('by group, forwards without one are "Ungrouped", not "Ungrouped group"', async () => {
    await dispatch('forward.add', { forward: await localForwardInput('loner', 'mail', echo.port) });
    await page.getByLabel('Group by', { exact: true }).selectOption('group');
    const head = page.getByRole('region', { name: 'Ungrouped' }).getByRole('heading');
    expect(await textOf(head)).toMatch(/^Ungrouped \d+ forwards? · \d+ running$/);
    await page.getByRole('button', { name: 'Start all in the ungrouped forwards' }).waitFor();
    await page.getByLabel('Group by', { exact: true }).selectOption('host');
    await dispatch('forward.remove', { name: 'loner' });
  }, 60_000);

  it('long names that share a prefix stay apart: cut in the middle, their ends shown, the full name as tooltip', async () => {
    const names = ['110', '143', '587'].map((p) => `work-bastion-L21100-mail-internal-example-com-${p}`);
    for (const name of names) await dispatch('forward.add', { forward: await localForwardInput(name, 'mail', echo.port) });
    for (const name of names) {
      const label = row(page, name).locator('.name');
      await label.waitFor();
      expect(await label.getAttribute('title')).toBe(name);
      expect(await textOf(label)).toBe(name); // read whole by assistive technology
      // The end is drawn in full, inside the name's box, while the start is cut.
      const [box, end] = [await label.boundingBox(), await label.locator('.name-end').boundingBox()];
      expect(end!.width).toBeGreaterThan(0);
      expect(end!.x + end!.width).toBeLessThanOrEqual(box!.x + box!.width + 0.5);
      expect(await textOf(label.locator('.name-end'))).toBe(name.slice(-8));
      await dispatch('forward.remove', { name });
    }
  }, 60_000);
});
