// A login on a SOCKS (dynamic) forward, through the forward form in real
// Chromium, against the real engine and a real sshd: checked with a real SOCKS5
// client (wrong password refused, right one through), the password only in the
// secret store, never in the profile file; editing keeps, replaces or removes it;
// without a secret store the form says the password is not kept.
import { listenPort } from '../../shared/model';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NoSecretStore } from '../../electron/profiles/secrets';
import { exchange, socks5 } from '../support/socks-client';
import { freePort, startSshd, type Sshd } from '../support/sshd';
import { echoServer, type TestServer } from '../support/tcp';
import { closeAll, consoleErrors, dispatchOk, openApp, reloadIfDialogOpen, sshdHostInput, startWorld, type World } from './harness';
import { detailsPane, dialogNamed, fillForwardForm, openForwardForm, row, rowState, stopForward, textOf, waitForText } from './ui-helpers';

const PASSWORD = 'socks-Pässword 1';
const NEW_PASSWORD = 'second-password';

let sshd: Sshd;
let echo: TestServer;
let world: World;
let page: Page;

const profileFile = (w: World) => readFileSync(join(w.dir, 'config', 'config.json'), 'utf8');

/** SOCKS5 through the forward: no login offered, a wrong password, the right one (bytes echoed). */
async function checkLogin(port: number, user: string, password: string) {
  const none = await socks5(port, { ipv4: '127.0.0.1' }, echo.port);
  expect(none.method, 'a client without a login is refused').toBe(0xff);
  const wrong = await socks5(port, { ipv4: '127.0.0.1' }, echo.port, { auth: { username: user, password: `${password}x` } });
  expect(wrong.authStatus, 'a wrong password is refused').toBe(1);
  const right = await socks5(port, { ipv4: '127.0.0.1' }, echo.port, { auth: { username: user, password } });
  expect(right).toMatchObject({ status: 0, authStatus: 0 });
  expect((await exchange(right.sock, Buffer.from('through the proxy'))).toString()).toBe('through the proxy');
}

async function editForward(p: Page, name: string) {
  await row(p, name).click();
  await detailsPane(p, name).getByRole('button', { name: 'Edit', exact: true }).click();
  const form = dialogNamed(p, `Edit forward ${name}`);
  await form.waitFor();
  return form;
}

beforeAll(async () => {
  [sshd, echo, world] = await Promise.all([startSshd(), echoServer(), startWorld()]);
  await dispatchOk(world, 'host.add', { host: sshdHostInput(sshd, 'lab') });
  ({ page } = await openApp(world));
}, 120_000);

afterEach(() => reloadIfDialogOpen(page));

afterAll(() => closeAll(page?.context(), world, echo, sshd));

describe('SOCKS login on a dynamic forward (browser mode, real engine, real sshd)', () => {
  it('creates a -D forward with a login in the form, starts it, and a real SOCKS5 client needs the right password', async () => {
    const port = await freePort();
    const form = await openForwardForm(page);
    // Only a SOCKS forward has a login.
    expect(await form.getByLabel('SOCKS user name', { exact: true }).count()).toBe(0);
    await fillForwardForm(form, { kind: 'dynamic', name: 'proxy', host: 'lab', port });

    // A password without a user name: said at the field, with what to do.
    const password = form.getByLabel('SOCKS password', { exact: true });
    expect(await password.getAttribute('type')).toBe('password');
    await password.fill(PASSWORD);
    const problem = form.getByText('A SOCKS password needs a proxy user name on a SOCKS (dynamic) forward; give the user name too, or leave the password out.');
    await problem.waitFor();
    expect(await password.getAttribute('aria-invalid')).toBe('true');
    await form.getByLabel('SOCKS user name', { exact: true }).fill('alice');
    await problem.waitFor({ state: 'detached' });
    await form.getByText('Kept in the memory of burrow web until it stops, never written to disk; leave empty to be asked when the forward starts.').waitFor();

    await form.getByRole('button', { name: 'Save and start' }).click();
    await waitForText(rowState(page, 'proxy'), /^Active$/);
    expect(world.services.repo.getForward('proxy')).toMatchObject({
      kind: 'dynamic',
      listen: { port },
      socksUser: 'alice',
      socksSecretRef: expect.stringMatching(/^burrow:forward:/),
    });
    await checkLogin(port, 'alice', PASSWORD);

    // The password is only in the secret store.
    expect(await world.services.repo.forwardSecret('proxy')).toBe(PASSWORD);
    const file = profileFile(world);
    expect(file).toContain('"socksUser": "alice"');
    expect(file).not.toContain(PASSWORD);
    expect(consoleErrors(page)).toEqual([]);
  }, 60_000);

  it('editing shows the stored password and keeps it, replaces it, or removes the login', async () => {
    const port = listenPort(world.services.repo.getForward('proxy')!)!;

    // Keep: change something else, leave the password empty.
    let form = await editForward(page, 'proxy');
    expect(await form.getByLabel('SOCKS user name', { exact: true }).inputValue()).toBe('alice');
    expect(await form.getByLabel('SOCKS password', { exact: true }).inputValue()).toBe('');
    expect(await textOf(form.getByRole('status').filter({ hasText: 'A password is stored' }))).toContain(
      'Leave this empty to keep it, or type a new one to replace it.',
    );
    await form.getByLabel('Notes', { exact: true }).fill('team proxy');
    await form.getByRole('button', { name: 'Save', exact: true }).click();
    await form.waitFor({ state: 'detached' });
    await waitForText(rowState(page, 'proxy'), /^Active$/);
    expect(world.services.repo.getForward('proxy')?.notes).toBe('team proxy');
    await checkLogin(port, 'alice', PASSWORD);

    // Replace: the running forward restarts with the new one.
    form = await editForward(page, 'proxy');
    await form.getByLabel('SOCKS password', { exact: true }).fill(NEW_PASSWORD);
    await form.getByRole('button', { name: 'Save', exact: true }).click();
    await form.waitFor({ state: 'detached' });
    await waitForText(rowState(page, 'proxy'), /^Active$/);
    await checkLogin(port, 'alice', NEW_PASSWORD);
    expect((await socks5(port, { ipv4: '127.0.0.1' }, echo.port, { auth: { username: 'alice', password: PASSWORD } })).authStatus).toBe(1);
    expect(await world.services.repo.forwardSecret('proxy')).toBe(NEW_PASSWORD);

    // Remove the login: the user name goes, the stored password is forgotten, the proxy is open again.
    form = await editForward(page, 'proxy');
    await form.getByRole('button', { name: 'Remove login' }).click();
    expect(await form.getByLabel('SOCKS user name', { exact: true }).inputValue()).toBe('');
    await form.getByText('Without a user name the proxy has no login; saving forgets the stored password.').waitFor();
    await form.getByRole('button', { name: 'Save', exact: true }).click();
    await form.waitFor({ state: 'detached' });
    await waitForText(rowState(page, 'proxy'), /^Active$/);
    const saved = world.services.repo.getForward('proxy')!;
    expect(saved.socksUser).toBeUndefined();
    expect(saved.socksSecretRef).toBeUndefined();
    const open = await socks5(port, { ipv4: '127.0.0.1' }, echo.port);
    expect(open.status).toBe(0);
    expect((await exchange(open.sock, Buffer.from('open'))).toString()).toBe('open');
    expect(profileFile(world)).not.toContain(NEW_PASSWORD);

    await stopForward(page, 'proxy');
  }, 60_000);

  it('without a secret store, says the password is not kept; Save and start still uses it', async () => {
    const bare = await startWorld({ secrets: new NoSecretStore() });
    const app = await openApp(bare);
    try {
      await dispatchOk(bare, 'host.add', { host: sshdHostInput(sshd, 'lab') });
      const port = await freePort();
      const form = await openForwardForm(app.page);
      await fillForwardForm(form, { kind: 'dynamic', name: 'proxy2', host: 'lab', port });
      await form.getByLabel('SOCKS user name', { exact: true }).fill('bob');
      await form
        .getByRole('note')
        .filter({ hasText: 'No safe secret store on this computer: the password is not saved. Burrow asks for it each time the forward starts.' })
        .waitFor();
      await form.getByLabel('SOCKS password', { exact: true }).fill(PASSWORD);
      await form.getByRole('button', { name: 'Save and start' }).click();
      await waitForText(rowState(app.page, 'proxy2'), /^Active$/);
      await checkLogin(port, 'bob', PASSWORD);
      expect(bare.services.repo.getForward('proxy2')).toMatchObject({ socksUser: 'bob' });
      expect(bare.services.repo.getForward('proxy2')?.socksSecretRef).toBeUndefined();
      expect(profileFile(bare)).not.toContain(PASSWORD);
      expect(app.errors).toEqual([]);
    } finally {
      await app.context.close();
      await bare.close();
    }
  }, 60_000);
});
