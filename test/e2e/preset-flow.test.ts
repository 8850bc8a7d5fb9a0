// The preset dialog without any saved host, in real Chromium: "Add a host"
// opens the host form on top of step 2, and saving it comes back to step 2
// with the new host picked; step 2 also takes the service's own host (POP3 on
// mail.example.com through other.example.com) without going through Customize….
// Customize… then Save puts the focus on the new row (the button that opened the form is gone).
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSshd, type Sshd } from '../support/sshd';
import { closeAll, openApp, startWorld, type World } from './harness';
import { dialogNamed, eventually, fillSshdHost, focused, row } from './ui-helpers';

let sshd: Sshd;
let world: World;
let page: Page;

beforeAll(async () => {
  sshd = await startSshd();
  world = await startWorld();
  ({ page } = await openApp(world));
}, 120_000);

afterAll(() => closeAll(page?.context(), world, sshd));

describe('presets with no host yet', () => {
  it('Add a host comes back to step 2 with the new host picked, and the service may be on another host', async () => {
    await page.getByRole('banner').getByRole('button', { name: 'Presets', exact: true }).click();
    await page.getByRole('button', { name: /Forward POP3 to localhost:\d+/ }).click();
    const step2 = page.getByRole('dialog', { name: /POP3/ });
    await step2.getByText('There is no SSH host yet.').waitFor();
    await step2.getByRole('button', { name: 'Add a host' }).click();

    const hostForm = dialogNamed(page, 'Add host');
    await hostForm.waitFor();
    await fillSshdHost(hostForm, sshd, 'other', { keyFile: sshd.userKey });
    await hostForm.getByRole('button', { name: 'Save host' }).click();
    await hostForm.waitFor({ state: 'detached' });

    const select = step2.getByLabel('SSH host', { exact: true });
    expect(await select.inputValue()).toBe('other');
    await eventually('the focus on the host picker', () => focused(select));

    await step2.getByLabel('Service host (optional)', { exact: true }).fill('mail.example.com');
    await step2.getByText(/reaches port 110 on mail\.example\.com, through other\./).waitFor();
    await step2.getByRole('button', { name: 'Create forward' }).click();
    await step2.waitFor({ state: 'detached' });
    const saved = world.services.repo.listForwards()[0];
    expect(saved).toMatchObject({ kind: 'local', host: 'other', target: { host: 'mail.example.com', port: 110 } });
    await row(page, saved.name).waitFor();
  }, 60_000);

  it('Customize… then Save: the focus is on the new row', async () => {
    await page.getByRole('banner').getByRole('button', { name: 'Presets', exact: true }).click();
    await page.getByRole('button', { name: /Forward IMAP to localhost:\d+/ }).click();
    await page.getByRole('dialog', { name: /IMAP/ }).getByRole('button', { name: 'Customize…' }).click();
    const form = dialogNamed(page, 'Add forward');
    await form.getByLabel('Name', { exact: true }).fill('imap-custom');
    await form.getByRole('button', { name: 'Save', exact: true }).click();
    await form.waitFor({ state: 'detached' });
    await eventually('the focus on the new row', () => focused(row(page, 'imap-custom')));
  }, 60_000);
});
