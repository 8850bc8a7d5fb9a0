// The host form's Algorithms disclosure (browser mode, real services): free
// text in ssh_config syntax, checked as you type by the engine's resolver,
// saved as the list it resolves to; an unknown name is refused with the names
// ssh2 supports; saved lists show when editing.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALGORITHMS } from '../../electron/tunnels/algorithms';
import { closeAll, consoleErrors, openApp, startWorld, type World } from './harness';
import { closeWithEscape, eventually, openNewHostForm, saveHost, textOf } from './ui-helpers';

let world: World;
let page: Page;

beforeAll(async () => {
  world = await startWorld();
  ({ page } = await openApp(world));
}, 120_000);

afterAll(() => closeAll(page?.context(), world));

describe('host form: algorithms', () => {
  it('checks each list with the engine resolver as you type, refuses unknown names, and saves the resolved lists', async () => {
    const form = await openNewHostForm(page);
    await form.getByLabel('Name', { exact: true }).fill('tuned');
    await form.getByLabel('Address', { exact: true }).fill('tuned.example.com');
    const disclosure = form.locator('details.algorithms');
    expect(await disclosure.getAttribute('open')).toBeNull();
    await disclosure.locator('summary').click();

    const kex = form.getByLabel('Key exchange algorithms', { exact: true });
    await kex.fill('curve25519-sha256,sntrup761x25519-sha512@openssh.com');
    const refused = form.locator('.field-error').filter({ hasText: "Unsupported KexAlgorithms name 'sntrup761x25519-sha512@openssh.com'" });
    await refused.waitFor();
    expect(await textOf(refused)).toContain('curve25519-sha256@libssh.org');
    expect(await kex.getAttribute('aria-invalid')).toBe('true');
    await form.getByRole('button', { name: 'Save host' }).click();
    expect(world.services.repo.getHost('tuned')).toBeUndefined();

    await kex.fill('curve25519*');
    await form.getByText('Offers, in order: curve25519-sha256@libssh.org, curve25519-sha256').waitFor();
    await form.getByLabel('MACs', { exact: true }).fill('-hmac-sha1*');
    await form.getByLabel('Host key algorithms', { exact: true }).fill('^ssh-rsa');
    await form.getByLabel('Ciphers', { exact: true }).fill('aes256-ctr');
    // Saved right away: the last value is checked before saving.
    await saveHost(form, 'tuned');
    await eventually('saved', async () => world.services.repo.getHost('tuned') !== undefined);
    expect(world.services.repo.getHost('tuned')?.algorithms).toEqual({
      ciphers: ['aes256-ctr'],
      kex: ['curve25519-sha256@libssh.org', 'curve25519-sha256'],
      hostKey: ['ssh-rsa', ...ALGORITHMS.hostKey.defaults.filter((a) => a !== 'ssh-rsa')],
      mac: ALGORITHMS.mac.defaults.filter((m) => !m.startsWith('hmac-sha1')),
    });

    // Editing shows the saved lists, open; clearing one goes back to the defaults.
    await page.getByRole('button', { name: 'Edit host tuned' }).click();
    const edit = page.getByRole('form', { name: 'Edit host tuned' });
    expect(await edit.locator('details.algorithms').getAttribute('open')).not.toBeNull();
    expect(await edit.getByLabel('Key exchange algorithms', { exact: true }).inputValue()).toBe('curve25519-sha256@libssh.org,curve25519-sha256');
    await edit.getByLabel('MACs', { exact: true }).fill('');
    await saveHost(edit, 'tuned');
    await eventually('saved again', async () => world.services.repo.getHost('tuned')?.algorithms?.mac === undefined);
    expect(world.services.repo.getHost('tuned')?.algorithms?.kex).toEqual(['curve25519-sha256@libssh.org', 'curve25519-sha256']);
    await closeWithEscape(page);
  }, 60_000);

  it('kept the console clean', () => {
    expect(consoleErrors(page).filter((e) => !/favicon/.test(e))).toEqual([]);
  });
});
