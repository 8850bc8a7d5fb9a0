// "Save and start" / "Create and start" when the start fails (browser mode,
// real engine, real sshd): the forward is saved once, the dialog closes, and
// the new row shows the failure with its one-click fixes.
import { listenPort } from '../../shared/model';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startSshd, type Sshd } from '../support/sshd';
import { echoServer, serve, type TestServer } from '../support/tcp';
import { closeAll, consoleErrors, dispatchOk, openApp, reloadIfDialogOpen, sshdHostInput, startWorld, type World } from './harness';
import {
  ACTIVE,
  closeWithEscape,
  detailsPane,
  dismissNotices,
  echoThrough,
  eventually,
  fillForwardForm,
  openForwardForm,
  row,
  rowState,
  stopForward,
  textOf,
  waitForText,
} from './ui-helpers';

let sshd: Sshd;
let echo: TestServer;
let squatter: TestServer;
let world: World;
let page: Page;

const savedNames = () =>
  world.services.repo
    .document()
    .forwards.map((f) => f.name)
    .sort();

beforeAll(async () => {
  [sshd, echo, squatter, world] = await Promise.all([startSshd(), echoServer(), serve(() => undefined), startWorld()]);
  await dispatchOk(world, 'host.add', { host: sshdHostInput(sshd, 'mail') });
  // Nothing listens on this port: the SSH connection is refused.
  await dispatchOk(world, 'host.add', { host: sshdHostInput(sshd, 'down', { port: await freePort() }) });
  ({ page } = await openApp(world));
}, 120_000);

afterEach(async () => {
  await reloadIfDialogOpen(page);
  if (page) await dismissNotices(page);
});

afterAll(() => closeAll(page?.context(), world, squatter, echo, sshd));

describe('save and start, when the start fails', () => {
  it('the forward form with a local port in use: closes, the row is failed with "Pick another port", and that fix starts it', async () => {
    const form = await openForwardForm(page);
    await fillForwardForm(form, { name: 'busy', host: 'mail', port: squatter.port, destinationHost: '127.0.0.1', destinationPort: echo.port });
    await form.getByRole('button', { name: 'Save and start' }).click();

    // Saved, so the dialog closes; the new row says why it did not start.
    await eventually('the form closed', async () => (await form.count()) === 0);
    await waitForText(rowState(page, 'busy'), /^Failed.*already in use/);
    expect(savedNames()).toEqual(['busy']);
    const pane = detailsPane(page, 'busy');
    await waitForText(pane, /already in use/);
    const notice = page.locator('.toast').filter({ hasText: 'busy was saved, but did not start' });
    await notice.getByRole('button', { name: 'Pick another port' }).waitFor();

    await pane.getByRole('button', { name: 'Pick another port' }).click();
    await waitForText(rowState(page, 'busy'), ACTIVE);
    const port = listenPort(world.services.repo.getForward('busy')!)!;
    expect(port).not.toBe(squatter.port);
    const payload = Buffer.from('moved to a free port');
    const { socket, echoed } = await echoThrough(port, payload);
    socket.destroy();
    expect(echoed.equals(payload)).toBe(true);
    expect(savedNames()).toEqual(['busy']);
    await stopForward(page, 'busy');
  }, 60_000);

  it('"Create and start" from a preset through a host that cannot be reached: closes, one forward, its reason with Retry now and Edit host', async () => {
    await page.getByRole('button', { name: 'Presets', exact: true }).click();
    const presets = page.getByRole('dialog', { name: /./ }).filter({ has: page.getByRole('button', { name: /Forward POP3 to localhost:\d+/ }) });
    await presets.getByRole('button', { name: /Forward POP3 to localhost:\d+/ }).click();
    await page.getByLabel('SSH host', { exact: true }).selectOption('down');
    await page.getByRole('button', { name: 'Create and start' }).click();

    await eventually('the preset dialog closed', async () => (await page.getByRole('dialog').count()) === 0);
    await row(page, 'pop3-down').waitFor();
    // Failed, or retrying the refused connection: either way the reason is shown, and nothing was added twice.
    await waitForText(rowState(page, 'pop3-down'), /^(Failed|Reconnecting).*connection refused/);
    expect(savedNames()).toEqual(['busy', 'pop3-down']);
    const pane = detailsPane(page, 'pop3-down');
    await pane.getByRole('button', { name: 'Retry now' }).waitFor();
    await pane.getByRole('button', { name: 'Edit host' }).click();
    await page.getByRole('dialog', { name: 'Edit host down' }).waitFor();
    expect(await page.getByLabel('SSH port', { exact: true }).inputValue()).toBe(String(world.services.repo.getHost('down')!.port));
    await closeWithEscape(page);
    await page
      .getByRole('switch', { name: 'pop3-down', exact: true })
      .click()
      .catch(() => undefined);
    await eventually('pop3-down stopped or failed', async () => /^(Stopped|Failed)/.test(await textOf(rowState(page, 'pop3-down'))));
  }, 60_000);

  it('the forward form through a host that cannot be reached: closes, and the row tells why', async () => {
    const form = await openForwardForm(page);
    await fillForwardForm(form, { name: 'nowhere', host: 'down', port: await freePort(), destinationHost: '127.0.0.1', destinationPort: echo.port });
    await form.getByRole('button', { name: 'Save and start' }).click();
    await eventually('the form closed', async () => (await form.count()) === 0);
    await waitForText(rowState(page, 'nowhere'), /^(Failed|Reconnecting).*connection refused/);
    await detailsPane(page, 'nowhere').getByRole('button', { name: 'Edit host' }).waitFor();
    expect(savedNames()).toEqual(['busy', 'nowhere', 'pop3-down']);
  }, 60_000);

  it('kept the console clean', () => {
    expect(consoleErrors(page).filter((e) => !/favicon/.test(e))).toEqual([]);
  });
});
