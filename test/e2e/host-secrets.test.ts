// A host's stored password or key passphrase in the window (browser mode, real
// services): the host form says one is stored (never what it is), keeps it,
// replaces it, or forgets it (secret: null); the hosts list says so too; and
// the SOCKS password in the forward form has the same look.
import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startSshd, type Sshd } from '../support/sshd';
import { closeAll, consoleErrors, dispatchOk, openApp, reloadIfDialogOpen, sshdHostInput, startWorld, type World } from './harness';
import { closeHostsDialog, dialogNamed, eventually, openEditHostForm, openHostsDialog, row, saveHost, textOf } from './ui-helpers';

let sshd: Sshd;
let world: World;
let page: Page;

const hostView = async (name: string) => {
  const s = (await dispatchOk(world, 'state.get', {})) as { hosts: { host: { name: string; auth: { secretRef?: string } }; hasStoredSecret: boolean }[] };
  return s.hosts.find((h) => h.host.name === name)!;
};

/** Saves the host form and closes the hosts dialog. */
async function saveAndClose(form: Locator, name: string) {
  await saveHost(form, name);
  await closeHostsDialog(page);
}

const storedNote = (form: Locator) => form.locator('.stored-secret');

beforeAll(async () => {
  [sshd, world] = await Promise.all([startSshd(), startWorld()]);
  await dispatchOk(world, 'host.add', { host: sshdHostInput(sshd, 'vault', { auth: { method: 'password' } }), secret: 'first-password' });
  await dispatchOk(world, 'host.add', { host: sshdHostInput(sshd, 'locked'), secret: 'first-passphrase' });
  ({ page } = await openApp(world));
}, 120_000);

afterEach(() => reloadIfDialogOpen(page));

afterAll(() => closeAll(page?.context(), world, sshd));

describe('stored host secrets in the host form', () => {
  it('says a password is stored, keeps it on save, and the hosts list says so', async () => {
    const list = await openHostsDialog(page);
    await list.getByRole('row').filter({ hasText: 'vault' }).filter({ hasText: 'password stored' }).waitFor();
    await list.getByRole('row').filter({ hasText: 'locked' }).filter({ hasText: 'passphrase stored' }).waitFor();
    await page.keyboard.press('Escape');

    const form = await openEditHostForm(page, 'vault');
    const note = storedNote(form);
    expect(await note.getAttribute('role')).toBe('status');
    expect(await textOf(note)).toBe('A password is stored. Leave this empty to keep it, or type a new one to replace it. Forget');
    const field = form.getByLabel('Password', { exact: true });
    expect(await field.inputValue()).toBe('');
    expect(await field.getAttribute('placeholder')).toBe('Stored (unchanged)');
    expect(await page.content()).not.toContain('first-password');
    await form.getByLabel('Keepalive interval (seconds)', { exact: true }).fill('20');
    await saveAndClose(form, 'vault');
    expect(world.services.repo.getHost('vault')?.keepalive?.interval).toBe(20);
    expect(await world.services.repo.hostSecret('vault')).toBe('first-password');
  }, 60_000);

  it('forgets it with "Forget" (and "Keep it" takes that back)', async () => {
    const form = await openEditHostForm(page, 'vault');
    await form.getByRole('button', { name: 'Forget' }).click();
    await eventually('the forget note', async () => (await textOf(storedNote(form))).startsWith('The stored password is forgotten when you save.'));
    expect(await form.getByLabel('Password', { exact: true }).getAttribute('placeholder')).toBe('');
    await form.getByRole('button', { name: 'Keep it' }).click();
    await eventually('stored again', async () => (await textOf(storedNote(form))).startsWith('A password is stored.'));
    await form.getByRole('button', { name: 'Forget' }).click();
    await saveAndClose(form, 'vault');
    await eventually('the secret forgotten', async () => (await hostView('vault')).hasStoredSecret === false);
    expect(world.services.repo.getHost('vault')?.auth.secretRef).toBeUndefined();
    expect(await world.services.repo.hostSecret('vault')).toBeNull();

    const again = await openEditHostForm(page, 'vault');
    expect(await storedNote(again).count()).toBe(0);
    await again
      .getByText('Optional. Kept in the memory of burrow web until it stops, never written to disk; leave empty to be asked when connecting.')
      .waitFor();
    await again.getByRole('button', { name: 'Cancel' }).click();
    const list = page.getByRole('dialog', { name: 'SSH hosts' });
    await list.getByRole('row').filter({ hasText: 'vault' }).waitFor();
    expect(await textOf(list.getByRole('row').filter({ hasText: 'vault' }))).not.toContain('stored');
    await page.keyboard.press('Escape');
  }, 60_000);

  it('says a passphrase is stored for a key, replaces it when a new one is typed, and warns that another key file forgets it', async () => {
    const form = await openEditHostForm(page, 'locked');
    expect(await textOf(storedNote(form))).toMatch(/^A passphrase is stored\./);
    const keyFile = form.getByRole('combobox', { name: 'Key file', exact: true });
    await keyFile.fill(`${sshd.userKey}.other`);
    await eventually(
      'the other key file note',
      async () =>
        (await textOf(storedNote(form))) === `The stored passphrase belongs to the key file ${sshd.userKey}: saving with another key file forgets it.`,
    );
    await keyFile.fill(sshd.userKey);
    await page.keyboard.press('Escape');
    await eventually('stored again', async () => (await textOf(storedNote(form))).startsWith('A passphrase is stored.'));
    await form.getByLabel('Key passphrase', { exact: true }).fill('second-passphrase');
    await saveAndClose(form, 'locked');
    expect(await world.services.repo.hostSecret('locked')).toBe('second-passphrase');
    expect((await hostView('locked')).hasStoredSecret).toBe(true);
  }, 60_000);

  it('the SOCKS password of a forward has the same look', async () => {
    await dispatchOk(world, 'forward.add', {
      forward: { name: 'proxy', kind: 'dynamic', listen: { host: '127.0.0.1', port: await freePort() }, host: 'locked', socksUser: 'alice' },
      secret: 'socks-secret',
    });
    await row(page, 'proxy').waitFor();
    await row(page, 'proxy').dblclick();
    const form = dialogNamed(page, 'Edit forward proxy');
    await form.waitFor();
    const note = storedNote(form);
    expect(await note.getAttribute('role')).toBe('status');
    expect(await textOf(note)).toBe('A password is stored. Leave this empty to keep it, or type a new one to replace it. Remove login');
    await form.getByRole('button', { name: 'Cancel' }).click();
  }, 60_000);

  it('kept the console clean', () => {
    expect(consoleErrors(page).filter((e) => !/favicon/.test(e))).toEqual([]);
  });
});
