// The host form's key file picker in real Chromium, with the real services
// listing a temporary ~/.ssh (keys of every format, and files that are not
// keys) and a real sshd: the combobox by keyboard and by mouse, filtering,
// warnings for keys Burrow cannot read, free typing, a picked key that
// connects; "Browse…" only where the preload offers the desktop file dialog.
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { writeKeyFixture, type KeyFixture } from '../support/key-fixtures';
import { startSshd, type Sshd } from '../support/sshd';
import { apiKeys } from '../../shared/burrow-api';
import { closeAll, consoleErrors, openApp, reloadIfDialogOpen, startWorld, type World } from './harness';
import { closeHostsDialog, eventually, fillSshdHost, focused, openNewHostForm, saveHost, testConnection, textOf } from './ui-helpers';

let sshd: Sshd;
let home: string;
let fx: KeyFixture;
let world: World;
let page: Page;

/** Opens Hosts > Add host, fills the address of the test sshd and picks key authentication, leaving the key file to pick. */
async function newKeyHost(p: Page, name: string): Promise<Locator> {
  const form = await openNewHostForm(p);
  await fillSshdHost(form, sshd, name);
  return form;
}

/** The paths the list offers, in order. */
const optionNames = (list: Locator) => list.getByRole('option').locator('.combo-path').allTextContents();

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'burrow-e2e-home-'));
  fx = writeKeyFixture(home);
  sshd = await startSshd();
  // The picked key must get in: authorise the fixture's id_ed25519 too.
  appendFileSync(join(sshd.dir, 'authorized_keys'), readFileSync(fx.path('id_ed25519.pub')));
  world = await startWorld({ homeDir: home });
  ({ page } = await openApp(world));
}, 120_000);

afterEach(() => reloadIfDialogOpen(page));

afterAll(async () => {
  await closeAll(page?.context(), world, sshd);
  rmSync(home, { recursive: true, force: true });
});

describe('key file picker (browser mode, real services, real sshd)', () => {
  it('says nothing about the key file before it is touched, and opens its list from the field itself', async () => {
    const form = await newKeyHost(page, 'untouched');
    const combo = form.getByRole('combobox', { name: 'Key file', exact: true });
    const missing = 'Choose the private key to log in with: type its path (e.g. ~/.ssh/id_ed25519) or pick one from the list.';
    expect(await combo.getAttribute('aria-invalid')).not.toBe('true');
    expect(await textOf(form)).not.toContain(missing);

    await combo.click();
    await form.getByRole('listbox', { name: 'Private keys in ~/.ssh' }).waitFor();
    expect(await combo.getAttribute('aria-expanded')).toBe('true');

    // Touched and left empty: now it says what to do, in a window user's words.
    await combo.fill('x');
    await combo.fill('');
    await eventually('the key file error', async () => (await textOf(form)).includes(missing));
    expect(await combo.getAttribute('aria-invalid')).toBe('true');
    expect(await textOf(form)).not.toContain("method is 'key'");
  }, 60_000);

  it('the agent choice says what happens when no agent is running', async () => {
    const form = await openNewHostForm(page);
    await form.getByLabel('Authentication', { exact: true }).selectOption('agent');
    await eventually('the agent hint', async () =>
      (await textOf(form)).includes('With no agent running, Burrow tries your usual key files (~/.ssh/id_ed25519, id_ecdsa, id_rsa), then asks for a password'),
    );
  }, 60_000);

  it('lists the private keys in ~/.ssh in a combobox, picks one by keyboard, and it connects', async () => {
    const form = await newKeyHost(page, 'picked');
    const combo = form.getByRole('combobox', { name: 'Key file', exact: true });
    const list = form.getByRole('listbox', { name: 'Private keys in ~/.ssh' });
    // The browser mode has no file dialog: no Browse button.
    expect(await form.getByRole('button', { name: 'Browse…' }).count()).toBe(0);
    expect(await combo.getAttribute('aria-expanded')).toBe('false');

    await combo.focus();
    await page.keyboard.press('ArrowDown');
    await list.waitFor();
    expect(await combo.getAttribute('aria-expanded')).toBe('true');
    const options = list.getByRole('option');
    // Keys only (not config, known_hosts, .pub files, a certificate, a folder), OpenSSH's default names first.
    expect(await optionNames(list)).toEqual([
      '~/.ssh/id_ed25519',
      '~/.ssh/id_ecdsa',
      '~/.ssh/id_ed25519_sk',
      '~/.ssh/id_rsa',
      '~/.ssh/cloud-enc.p8',
      '~/.ssh/cloud.p8',
      '~/.ssh/ec.pem',
      '~/.ssh/legacy.pem',
      '~/.ssh/putty-ed25519.ppk',
      '~/.ssh/putty-rsa-enc.ppk',
      '~/.ssh/putty-rsa.ppk',
      '~/.ssh/putty-v3.ppk',
      '~/.ssh/work',
    ]);
    expect(await textOf(options.nth(0))).toBe('~/.ssh/id_ed25519ED25519 · OpenSSH');
    expect(await textOf(options.nth(1))).toBe('~/.ssh/id_ecdsaECDSA · OpenSSH · passphrase');
    // Keys Burrow cannot read are shown, with a warning.
    expect(await textOf(options.nth(2))).toBe('~/.ssh/id_ed25519_skED25519-SK · OpenSSH · Burrow cannot use it as is');

    // The first is active: its id is the combobox's active descendant; Enter picks it (and does not submit the form).
    expect(await options.nth(0).getAttribute('aria-selected')).toBe('true');
    expect(await combo.getAttribute('aria-activedescendant')).toBe(await options.nth(0).getAttribute('id'));
    await page.keyboard.press('Enter');
    expect(await combo.inputValue()).toBe(fx.path('id_ed25519'));
    expect(await list.isHidden()).toBe(true);
    expect(await focused(combo)).toBe(true);
    await form.getByText('ED25519 · OpenSSH; public key ~/.ssh/id_ed25519.pub.').waitFor();
    expect(await page.getByRole('form', { name: 'New host' }).count()).toBe(1);

    await testConnection(form);
    await saveHost(form, 'picked');
    expect(world.services.repo.getHost('picked')?.auth).toMatchObject({ method: 'key', keyPath: fx.path('id_ed25519') });
    await closeHostsDialog(page);
    expect(consoleErrors(page)).toEqual([]);
  }, 60_000);

  it('filters as you type, warns about keys Burrow cannot read, and keeps a typed path', async () => {
    const form = await newKeyHost(page, 'typed');
    const combo = form.getByRole('combobox', { name: 'Key file', exact: true });
    const list = form.getByRole('listbox', { name: 'Private keys in ~/.ssh' });

    // Typing filters the list; a click picks.
    await combo.fill('.p8');
    await list.waitFor();
    expect(await optionNames(list)).toEqual(['~/.ssh/cloud-enc.p8', '~/.ssh/cloud.p8']);
    await list.getByRole('option', { name: /^~\/\.ssh\/cloud\.p8/ }).click();
    expect(await combo.inputValue()).toBe(fx.path('cloud.p8'));
    const warning = form.getByRole('note').filter({ hasText: 'PKCS#8' });
    expect(await textOf(warning)).toBe(
      `This is a PKCS#8 key ("BEGIN PRIVATE KEY"), which Burrow cannot read. Convert it to the OpenSSH format in place with: ssh-keygen -p -f ${fx.path('cloud.p8')}`,
    );
    // The field says it: the warning describes the combobox.
    const describedBy = (await combo.getAttribute('aria-describedby'))!.split(' ');
    expect(describedBy).toContain(await warning.locator('xpath=..').getAttribute('id'));

    // The toggle button opens the whole list; Escape closes only the list, not the dialog.
    await form.getByRole('button', { name: 'Show the keys in ~/.ssh' }).click();
    await list.waitFor();
    expect((await list.getByRole('option').all()).length).toBe(13);
    expect(await focused(combo)).toBe(true);
    await page.keyboard.press('Escape');
    await list.waitFor({ state: 'hidden' });
    expect(await page.getByRole('dialog', { name: 'Add host' }).isVisible()).toBe(true);

    // A passphrase-protected key says Burrow will ask; ArrowUp from the top wraps to the end.
    await combo.fill('id_ecdsa');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    expect(await combo.inputValue()).toBe(fx.path('id_ecdsa'));
    await form.getByText('ECDSA · OpenSSH · passphrase: Burrow asks for the passphrase when connecting; public key ~/.ssh/id_ecdsa.pub.').waitFor();
    await combo.fill('');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Enter');
    expect(await combo.inputValue()).toBe(fx.path('work'));

    // Free typing: a path that is not in the list is kept as typed and used.
    await combo.fill(sshd.userKey);
    await form.getByText('No key in the list matches; the path typed is used as it is.').waitFor();
    await page.keyboard.press('Tab');
    expect(await combo.inputValue()).toBe(sshd.userKey);
    await saveHost(form, 'typed');
    expect(world.services.repo.getHost('typed')?.auth.keyPath).toBe(sshd.userKey);
    await closeHostsDialog(page);
  }, 60_000);

  it('in the desktop app, Browse… opens the file dialog through the preload and fills the field', async () => {
    const chosen: string[] = [];
    let answer: string | null = null;
    const desktop = await openApp(world, {
      desktop: {
        chooseKeyFile: () => {
          chosen.push('asked');
          return answer;
        },
      },
    });
    try {
      const p = desktop.page;
      // The page sees the preload's one object: invoke, on and desktop, nothing else.
      expect(await p.evaluate('Object.keys(globalThis.burrow).sort()')).toEqual(apiKeys(true).sort());
      expect(await p.evaluate('typeof globalThis.burrow.forwardStart')).toBe('undefined');
      const form = await newKeyHost(p, 'browsed');
      const combo = form.getByRole('combobox', { name: 'Key file', exact: true });
      const browse = form.getByRole('button', { name: 'Browse…' });
      // Cancelled: nothing changes.
      await browse.click();
      await eventually('the dialog to be asked for', async () => chosen.length === 1);
      expect(await combo.inputValue()).toBe('');
      answer = sshd.userKey;
      await browse.click();
      await eventually('the chosen file in the field', async () => (await combo.inputValue()) === sshd.userKey);
      expect(chosen.length).toBe(2);
      // The list works through the preload too.
      await combo.focus();
      await p.keyboard.press('ArrowDown');
      await form.getByRole('listbox', { name: 'Private keys in ~/.ssh' }).waitFor();
      await p.keyboard.press('Escape');
      await saveHost(form, 'browsed');
      expect(world.services.repo.getHost('browsed')?.auth.keyPath).toBe(sshd.userKey);
      expect(desktop.errors).toEqual([]);
    } finally {
      await desktop.context.close();
    }
  }, 60_000);
});
