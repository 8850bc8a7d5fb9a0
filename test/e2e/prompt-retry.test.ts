// A wrong password or key passphrase in the window (real Chromium, the real
// engine, a real sshd with a password login): the prompt dialog asks again,
// saying "Permission denied, please try again." (or that the passphrase was
// wrong), instead of the forward going straight to Failed.
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { keygen, startPasswordSshd, type Sshd } from '../support/sshd';
import { echoServer, type TestServer } from '../support/tcp';
import { closeAll, dispatchOk, localForwardInput, openApp, reloadIfDialogOpen, sshdHostInput, startWorld, type World } from './harness';
import { ACTIVE, dialogNamed, echoThrough, row, rowState, stopForward, textOf, waitForText } from './ui-helpers';

const PASSWORD = 'correct horse';
const AGAIN = 'Permission denied, please try again.';
let sshd: Sshd;
let echo: TestServer;
let world: World;
let page: Page;

beforeAll(async () => {
  [sshd, echo, world] = await Promise.all([startPasswordSshd(PASSWORD), echoServer(), startWorld()]);
  ({ page } = await openApp(world));
}, 120_000);

afterEach(() => reloadIfDialogOpen(page));

afterAll(() => closeAll(page?.context(), world, echo, sshd));

/** Types into the password (or passphrase) dialog that is open now and presses OK; `retry`: the text that must say why it is asked again. */
async function answer(value: string, retry: string | false, kind: 'Password' | 'Passphrase' = 'Password') {
  const dialog = dialogNamed(page, kind === 'Password' ? 'Password needed' : 'Key passphrase needed');
  await dialog.waitFor();
  // The question's own alert (a notice raised meanwhile is shown inside the dialog too, in .toasts).
  const alert = dialog.locator('.form-error[role=alert]');
  // A question asked again is a new dialog, saying why: wait for it.
  if (retry) await waitForText(alert, new RegExp(`^${retry}$`));
  else expect(await alert.count()).toBe(0);
  await dialog.getByLabel(kind, { exact: true }).fill(value);
  await dialog.getByRole('button', { name: 'OK' }).click();
}

describe('a wrong password in the window', () => {
  it('is asked again in the prompt dialog, and the right one brings the forward up', async () => {
    await dispatchOk(world, 'host.add', { host: sshdHostInput(sshd, 'pw-host', { auth: { method: 'password' } }) });
    const forward = await localForwardInput('pw-echo', 'pw-host', echo.port);
    await dispatchOk(world, 'forward.add', { forward });
    await row(page, 'pw-echo').waitFor();

    await page.getByRole('switch', { name: 'pw-echo', exact: true }).click();
    await answer('wrong', false);
    await answer(PASSWORD, AGAIN);
    await waitForText(rowState(page, 'pw-echo'), ACTIVE);
    const payload = Buffer.from('after a typo');
    const { socket, echoed } = await echoThrough(forward.listen.port, payload);
    socket.destroy();
    expect(echoed.equals(payload)).toBe(true);
    await stopForward(page, 'pw-echo');
  }, 60_000);

  it('after three wrong ones fails saying the password was refused', async () => {
    await page.getByRole('switch', { name: 'pw-echo', exact: true }).click();
    await answer('one', false);
    await answer('two', AGAIN);
    await answer('three', AGAIN);
    await waitForText(rowState(page, 'pw-echo'), /^Failed/);
    expect(await textOf(rowState(page, 'pw-echo'))).toContain(`Permission denied: the server refused the password for ${sshd.user}@127.0.0.1 (3 times)`);
    expect(await page.getByRole('dialog').count()).toBe(0);
  }, 60_000);

  it('a mistyped key passphrase is asked again, saying it was wrong', async () => {
    const key = keygen(join(world.dir, 'locked_ed25519'), 'ed25519', 'open sesame');
    appendFileSync(join(sshd.dir, 'authorized_keys'), readFileSync(`${key}.pub`));
    await dispatchOk(world, 'host.add', { host: sshdHostInput(sshd, 'key-host', { auth: { method: 'key', keyPath: key, identitiesOnly: true } }) });
    await dispatchOk(world, 'forward.add', { forward: await localForwardInput('key-echo', 'key-host', echo.port) });
    await row(page, 'key-echo').waitFor();

    await page.getByRole('switch', { name: 'key-echo', exact: true }).click();
    await answer('typo', false, 'Passphrase');
    await answer('open sesame', 'Wrong passphrase, try again.', 'Passphrase');
    await waitForText(rowState(page, 'key-echo'), ACTIVE);
    await stopForward(page, 'key-echo');
  }, 60_000);
});
