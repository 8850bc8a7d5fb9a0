// The window's review follow-ups, as a keyboard user meets them (real Chromium,
// the real engine, a real sshd asking for a password): a prompt names the saved
// host and forward that asks, its first focus is an answer (Enter never
// rejects), and after answering it or pressing Retry now the focus is on the
// forward's row, not lost to <body>; a fix applied from the details pane
// dismisses the notice that offered it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startPasswordSshd, type Sshd } from '../support/sshd';
import { echoServer, serve, type TestServer } from '../support/tcp';
import { closeAll, dispatchOk, localForwardInput, openApp, reloadIfDialogOpen, sshdHostInput, startWorld, type World } from './harness';
import { ACTIVE, detailsPane, dialogNamed, eventually, focused, row, rowState, stopForward, textOf, waitForText } from './ui-helpers';

const PASSWORD = 'correct horse';
let sshd: Sshd;
let echo: TestServer;
let world: World;
let page: Page;

beforeAll(async () => {
  [sshd, echo, world] = await Promise.all([startPasswordSshd(PASSWORD), echoServer(), startWorld()]);
  ({ page } = await openApp(world));
}, 120_000);

afterEach(() => reloadIfDialogOpen(page));

beforeAll(() => dispatchOk(world, 'host.add', { host: sshdHostInput(sshd, 'direct') }));

afterAll(() => closeAll(page?.context(), world, echo, sshd));

/** What has the keyboard focus: the row's data-forward, or a description of the element. */
const focusedThing = (p: Page): Promise<string> =>
  p.evaluate(`(() => {
    const e = document.activeElement;
    return e?.getAttribute('data-forward') ?? \`\${e?.tagName} \${e?.getAttribute('aria-label') ?? e?.textContent ?? ''}\`.trim();
  })()`);

const waitFocused = (l: Locator, what: string) => eventually(what, () => focused(l));

describe('prompts in the window', () => {
  it('name the host and forward that ask, start on an answer, and leave the focus on the row', async () => {
    const knownHosts = join(world.dir, 'empty_known_hosts');
    writeFileSync(knownHosts, '');
    await dispatchOk(world, 'host.add', {
      host: sshdHostInput(sshd, 'work', { auth: { method: 'password' }, knownHostsFile: knownHosts, strictHostKeyChecking: 'ask' }),
    });
    await dispatchOk(world, 'forward.add', { forward: await localForwardInput('pop3', 'work', echo.port) });
    await row(page, 'pop3').waitFor();

    // Started from elsewhere (the tray, the CLI): nothing in the window had the focus.
    const started = world.services.dispatcher.dispatch('forward.start', { name: 'pop3' });
    const hostKey = page.getByRole('alertdialog', { name: 'Unknown host key' });
    await hostKey.waitFor();
    expect(await textOf(hostKey)).toContain(`host 'work' (127.0.0.1:${sshd.port}) for forward 'pop3'`);
    await waitFocused(hostKey.getByRole('button', { name: 'Trust once' }), 'Trust once focused');
    expect(await focused(hostKey.getByRole('button', { name: 'Close' }))).toBe(false);
    await page.keyboard.press('Enter');

    const password = dialogNamed(page, 'Password needed');
    await password.waitFor();
    expect(await textOf(password)).toContain(`To log in to host 'work' (${sshd.user}@127.0.0.1) for forward 'pop3'`);
    const field = password.getByLabel('Password', { exact: true });
    await waitFocused(field, 'the password field focused');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');

    await waitForText(rowState(page, 'pop3'), ACTIVE);
    expect((await started).ok).toBe(true);
    await eventually('the row focused after answering', async () => (await focusedThing(page)) === 'pop3');
    await stopForward(page, 'pop3');
  }, 60_000);
});

describe('Retry now', () => {
  beforeAll(async () => {
    await dispatchOk(world, 'host.add', { host: sshdHostInput(sshd, 'pw', { auth: { method: 'password' } }) });
    await dispatchOk(world, 'forward.add', { forward: await localForwardInput('mail', 'pw', echo.port) });
    await row(page, 'mail').waitFor();
  });

  /** Cancels the password question that is open now; the forward fails saying the login was cancelled. */
  async function cancelPassword() {
    const ask = dialogNamed(page, 'Password needed');
    await ask.waitFor();
    await ask.getByRole('button', { name: 'Cancel' }).click();
    await waitForText(rowState(page, 'mail'), /^Failed/);
  }

  it('in the details pane leaves the focus on the row', async () => {
    await row(page, 'mail').click();
    await page.getByRole('switch', { name: 'mail', exact: true }).click();
    await cancelPassword();
    await detailsPane(page, 'mail').getByRole('button', { name: 'Retry now' }).click();
    await cancelPassword();
    await eventually('the row focused after Retry now', async () => (await focusedThing(page)) === 'mail');
  }, 60_000);

  it('in a notice leaves the focus on the row', async () => {
    const notice = page.locator('.toast', { hasText: 'mail did not start' }).last();
    await notice.getByRole('button', { name: 'Retry now' }).click();
    const ask = dialogNamed(page, 'Password needed');
    await ask.waitFor();
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await waitForText(rowState(page, 'mail'), ACTIVE);
    await eventually('the row focused after Retry now', async () => (await focusedThing(page)) === 'mail');
    await stopForward(page, 'mail');
  }, 60_000);
});

describe('Pick another port', () => {
  it('applied from the details pane dismisses the notice that offered it', async () => {
    const taken = await serve((s) => s.destroy());
    try {
      await dispatchOk(world, 'forward.add', {
        forward: await localForwardInput('clash', 'direct', echo.port, { listen: { host: '127.0.0.1', port: taken.port } }),
      });
      await row(page, 'clash').waitFor();
      await row(page, 'clash').click();
      await page.getByRole('switch', { name: 'clash', exact: true }).click();
      const notice = page.locator('.toast', { hasText: 'clash did not start' });
      await notice.waitFor();
      await detailsPane(page, 'clash').getByRole('button', { name: 'Pick another port' }).click();
      await page.locator('.toast', { hasText: /clash now listens on port \d+/ }).waitFor();
      expect(await notice.count()).toBe(0);
      await waitForText(rowState(page, 'clash'), ACTIVE);
      await stopForward(page, 'clash');
    } finally {
      await taken.close();
    }
  }, 60_000);
});
