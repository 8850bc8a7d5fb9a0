// The window's dialogs in real Chromium, against the real engine (`burrow web`'s
// services), a real sshd and an in-process ssh2 server: adding a host from the
// forward form without losing the draft, the password / one-time code /
// passphrase prompts, Export and Settings (the changed host key warning is in
// host-key-changed.test.ts).
// BURROW_E2E_SHOTS=/some/dir saves a screenshot of each screen there.
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuthContext } from 'ssh2';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFakeServer, type FakeServer } from '../support/ssh2-server';
import { keygen, startSshd, type Sshd } from '../support/sshd';
import { echoServer, type TestServer } from '../support/tcp';
import { closeAll, consoleErrors, dispatchOk, localForwardInput, openApp, reloadIfDialogOpen, sshdHostInput, startWorld, type World } from './harness';
import {
  ACTIVE,
  closeWithEscape,
  describedText,
  detailsPane,
  dialogNamed,
  dismissNotices,
  echoThrough,
  eventually,
  fillForwardForm,
  fillSshdHost,
  focused,
  openForwardForm,
  openNewHostForm,
  row,
  rowState,
  stopForward,
  textOf,
  tryFocus,
  waitForText,
} from './ui-helpers';

const PASSWORD = 'correct horse';
const CODE = '246810';
const PASSPHRASE = 'open sesame';
/** A password stored with a host: it must never show up in an export. */
const STORED_SECRET = 'stored-Secret-4711';

let sshd: Sshd;
let otp: FakeServer;
let echo: TestServer;
let world: World;
let page: Page;
/** What the in-process server was answered, round by round. */
const answers: string[][] = [];

const dispatch = (channel: string, input: unknown) => dispatchOk(world, channel, input);

async function shot(name: string) {
  const dir = process.env.BURROW_E2E_SHOTS;
  if (!dir) return;
  await page.waitForTimeout(250);
  await page.screenshot({ path: join(dir, `${name}.png`) });
}

const sshdHost = (name: string, over: Record<string, unknown> = {}) => sshdHostInput(sshd, name, over);

const echoForward = (name: string, host: string) => localForwardInput(name, host, echo.port);

/** A password, then a one-time code, as PAM with two-factor login asks them: two keyboard-interactive rounds. */
function twoFactor(ctx: AuthContext) {
  if (ctx.method !== 'keyboard-interactive') return ctx.reject(['keyboard-interactive']);
  ctx.prompt([{ prompt: 'Password: ', echo: false }], 'Two-factor login', (first) => {
    answers.push(first);
    if (ctx.username !== 'alice' || first[0] !== PASSWORD) return ctx.reject(['keyboard-interactive']);
    ctx.prompt([{ prompt: 'Verification code: ', echo: false }], (second) => {
      answers.push(second);
      if (second[0] === CODE) ctx.accept();
      else ctx.reject(['keyboard-interactive']);
    });
  });
}

beforeAll(async () => {
  [sshd, otp, echo, world] = await Promise.all([
    startSshd(),
    startFakeServer({
      auth: twoFactor,
      tcpip: (_info, accept) => {
        const ch = accept();
        ch.on('data', (d: Buffer) => ch.write(d));
        ch.on('error', () => undefined);
      },
    }),
    echoServer(),
    startWorld(),
  ]);
  ({ page } = await openApp(world));
}, 120_000);

afterEach(() => reloadIfDialogOpen(page));

afterAll(() => closeAll(page?.context(), world, otp, echo, sshd));

describe('dialogs (browser mode, real engine, real sshd)', () => {
  it('adds a host from the forward form on top of it, keeping what was typed, and picks the new host', async () => {
    const form = await openForwardForm(page);
    await fillForwardForm(form, { kind: 'remote', name: 'webhook', port: 9000, destinationHost: '127.0.0.1', destinationPort: 3000, group: 'dev' });

    // Escape closes only the dialog on top, and the focus goes back to the button that opened it.
    const addHost = form.getByRole('button', { name: 'Add a host…' });
    await addHost.click();
    const hostDialog = dialogNamed(page, 'Add host');
    await hostDialog.waitFor();
    expect(await focused(hostDialog.getByLabel('Name', { exact: true }))).toBe(true);
    await page.keyboard.press('Escape');
    await eventually('host dialog closed', async () => (await hostDialog.count()) === 0);
    expect(await form.isVisible()).toBe(true);
    expect(await focused(addHost)).toBe(true);
    expect(await form.getByLabel('Name', { exact: true }).inputValue()).toBe('webhook');

    // While the host form is open, the forward form under it cannot be used.
    await addHost.click();
    await hostDialog.waitFor();
    // The forward form's own Name field (the host form on top, nested in it, has one too).
    const name = form.getByLabel('Name', { exact: true }).first();
    await tryFocus(name);
    expect(await focused(name)).toBe(false);
    await fillSshdHost(hostDialog, sshd, 'devbox', { keyFile: sshd.userKey });
    await shot('stacked-host-dialog');
    await hostDialog.getByRole('button', { name: 'Save host' }).click();
    await eventually('host dialog closed', async () => (await hostDialog.count()) === 0);

    const hostSelect = form.getByLabel('SSH host', { exact: true });
    expect(await hostSelect.inputValue()).toBe('devbox');
    expect(await focused(hostSelect)).toBe(true);
    expect(await form.getByRole('radio', { name: /^Remote \(-R\)/ }).isChecked()).toBe(true);
    expect(await form.getByLabel('Name', { exact: true }).inputValue()).toBe('webhook');
    expect(await form.getByLabel('Remote port', { exact: true }).inputValue()).toBe('9000');
    expect(await form.getByLabel('Destination port', { exact: true }).inputValue()).toBe('3000');
    expect(await form.getByLabel('Group', { exact: true }).inputValue()).toBe('dev');
    await shot('forward-form-after-host');

    await form.getByRole('button', { name: 'Save', exact: true }).click();
    await row(page, 'webhook').waitFor();
    expect(world.services.repo.getHost('devbox')).toMatchObject({ port: sshd.port, auth: { method: 'key', keyPath: sshd.userKey } });
    expect(world.services.repo.getForward('webhook')).toMatchObject({
      kind: 'remote',
      host: 'devbox',
      listen: { host: 'localhost', port: 9000 },
      target: { host: '127.0.0.1', port: 3000 },
      group: 'dev',
    });
    expect(await page.getByRole('dialog').count()).toBe(0);
  }, 60_000);

  it('asks for a password, then a one-time code, and the forward comes up', async () => {
    await dispatch('host.add', {
      host: { name: 'twofa', hostname: '127.0.0.1', port: otp.port, user: 'alice', auth: { method: 'keyboard-interactive' }, knownHostsFile: otp.knownHosts },
    });
    const forward = await echoForward('twofa-echo', 'twofa');
    await dispatch('forward.add', { forward });
    await row(page, 'twofa-echo').waitFor();
    answers.length = 0;

    await page.getByRole('switch', { name: 'twofa-echo', exact: true }).click();
    const pw = dialogNamed(page, 'Password needed');
    await pw.waitFor();
    expect(await textOf(pw)).toContain('alice@127.0.0.1');
    expect(await textOf(pw)).toContain('Two-factor login');
    const pwField = pw.getByLabel('Password', { exact: true });
    expect(await pwField.getAttribute('type')).toBe('password');
    expect(await focused(pwField)).toBe(true);
    await pwField.fill(PASSWORD);
    await shot('password-prompt');
    await pw.getByRole('button', { name: 'OK' }).click();

    const code = dialogNamed(page, 'One-time code needed');
    await code.waitFor();
    expect(await textOf(code)).toContain('Verification code');
    const codeField = code.getByLabel('Code', { exact: true });
    expect(await codeField.getAttribute('autocomplete')).toBe('one-time-code');
    await codeField.fill(CODE);
    await shot('otp-prompt');
    await page.keyboard.press('Enter');

    await waitForText(rowState(page, 'twofa-echo'), ACTIVE);
    expect(answers).toEqual([[PASSWORD], [CODE]]);
    expect(await page.getByRole('dialog').count()).toBe(0);
    const payload = Buffer.from('through the two-factor tunnel');
    const { socket, echoed } = await echoThrough(forward.listen.port, payload);
    socket.destroy();
    expect(echoed.equals(payload)).toBe(true);
    await stopForward(page, 'twofa-echo');
  }, 60_000);

  it('leaves the forward failed, saying why, when the password question is cancelled', async () => {
    await dismissNotices(page);
    answers.length = 0;
    await page.getByRole('switch', { name: 'twofa-echo', exact: true }).click();
    const pw = dialogNamed(page, 'Password needed');
    await pw.waitFor();
    await pw.getByRole('button', { name: 'Cancel' }).click();
    await waitForText(rowState(page, 'twofa-echo'), /^Failed/);
    expect(await page.getByRole('dialog').count()).toBe(0);
    const why = await textOf(rowState(page, 'twofa-echo'));
    expect(why).toMatch(/Login to alice@127\.0\.0\.1 was cancelled/);
    // The server never got a password.
    expect(answers.flat()).not.toContain(PASSWORD);
    await row(page, 'twofa-echo').click();
    const details = detailsPane(page, 'twofa-echo');
    await waitForText(details, /was cancelled/);
    await details.getByRole('button', { name: 'Retry now' }).waitFor();
    await shot('auth-cancelled');
    await page.keyboard.press('Escape');
  }, 60_000);

  it('asks for the passphrase of a key made with ssh-keygen -N, and the forward comes up', async () => {
    await dismissNotices(page);
    const key = keygen(join(world.dir, 'locked_ed25519'), 'ed25519', PASSPHRASE);
    appendFileSync(join(sshd.dir, 'authorized_keys'), readFileSync(`${key}.pub`));
    await dispatch('host.add', { host: sshdHost('locked', { auth: { method: 'key', keyPath: key, identitiesOnly: true } }) });
    await dispatch('forward.add', { forward: await echoForward('locked-echo', 'locked') });
    await row(page, 'locked-echo').waitFor();

    await page.getByRole('switch', { name: 'locked-echo', exact: true }).click();
    const ask = dialogNamed(page, 'Key passphrase needed');
    await ask.waitFor();
    expect(await textOf(ask)).toContain(key);
    await ask.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE);
    await shot('passphrase-prompt');
    await ask.getByRole('button', { name: 'OK' }).click();
    await waitForText(rowState(page, 'locked-echo'), ACTIVE);
    expect(await page.getByRole('dialog').count()).toBe(0);
    await stopForward(page, 'locked-echo');
  }, 60_000);

  it('exports ssh_config and JSON with the hosts, never a password', async () => {
    await dispatch('host.add', { host: sshdHost('vault', { auth: { method: 'password' } }), secret: STORED_SECRET });
    await dispatch('forward.add', { forward: await echoForward('vault-echo', 'vault') });
    expect((await dispatch('state.get', {})) as { hosts: { host: { name: string }; hasStoredSecret: boolean }[] }).toMatchObject({
      hosts: expect.arrayContaining([{ host: expect.objectContaining({ name: 'vault' }), hasStoredSecret: true }]),
    });

    await page.getByRole('button', { name: 'Export', exact: true }).click();
    const dialog = dialogNamed(page, 'Export');
    await dialog.waitFor();
    const text = dialog.getByRole('textbox', { name: 'Exported text' });
    const config = await eventually('ssh_config text', async () => (await text.inputValue()) || undefined);
    expect(config).toMatch(/^Host vault$/m);
    expect(config).toMatch(/^\s+HostName 127\.0\.0\.1$/m);
    expect(config).toMatch(new RegExp(`^\\s+Port ${sshd.port}$`, 'm'));
    expect(config).toMatch(/^\s+LocalForward /m);
    expect(config).not.toContain(STORED_SECRET);
    await dialog.getByRole('link', { name: /^Save as .+/ }).waitFor();
    await shot('export-ssh-config');

    await dialog.getByRole('radio', { name: 'Burrow JSON (for another Burrow)' }).check();
    const json = await eventually('JSON text', async () => {
      const t = await text.inputValue();
      return t.trimStart().startsWith('{') ? t : undefined;
    });
    const doc = JSON.parse(json) as { hosts: { name: string; hostname: string; port: number }[] };
    expect(doc.hosts).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'vault', hostname: '127.0.0.1', port: sshd.port })]));
    expect(json).not.toContain(STORED_SECRET);
    expect(json).not.toMatch(/"(password|secret|passphrase)"\s*:/i);
    await shot('export-json');
    await dialog.getByRole('button', { name: 'Close', exact: true }).first().click();
    await eventually('export closed', async () => (await dialog.count()) === 0);
  }, 60_000);

  it('saves settings: notifications, start hidden and the default keepalive survive a reload and sit in the store file', async () => {
    // The browser mode has no login item and no tray: it does not offer them.
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    await dialogNamed(page, 'Settings').getByRole('checkbox', { name: 'Notify when a forward fails, drops or recovers' }).waitFor();
    expect(
      await dialogNamed(page, 'Settings')
        .getByRole('checkbox', { name: /Launch at login|Start hidden/ })
        .count(),
    ).toBe(0);
    await closeWithEscape(page);
    // The desktop app's window (a preload object, as in Electron) does.
    const { page: desk, context } = await openApp(world, { desktop: { chooseKeyFile: () => null } });
    try {
      const page = desk;
      await page.getByRole('button', { name: 'Settings', exact: true }).click();
      let dialog = dialogNamed(page, 'Settings');
      await dialog.waitFor();
      const notifications = () => dialog.getByRole('checkbox', { name: 'Notify when a forward fails, drops or recovers' });
      const hidden = () => dialog.getByRole('checkbox', { name: 'Start hidden in the tray' });
      expect(await notifications().isChecked()).toBe(true);
      expect(await hidden().isChecked()).toBe(false);
      await notifications().uncheck();
      await hidden().check();
      const interval = () => dialog.getByLabel('Default keepalive interval (seconds)', { exact: true });
      const count = () => dialog.getByLabel('Default keepalive count', { exact: true });
      await interval().fill('x');
      await eventually('the interval marked invalid', async () => (await interval().getAttribute('aria-invalid')) === 'true');
      expect(await dialog.getByRole('button', { name: 'Save settings' }).isDisabled()).toBe(true);
      // Both wrong: each box says what is wrong with it.
      await count().fill('0');
      await eventually('the count marked invalid', async () => (await count().getAttribute('aria-invalid')) === 'true');
      expect(await describedText(count())).toContain('Keepalive count must be a whole number from 1 to 1000 (got 0).');
      expect(await describedText(interval())).toContain('Keepalive interval (seconds) must be a whole number from 0 to 86400 (got "x").');
      await interval().fill('30');
      await count().fill('5');
      await shot('settings');
      await dialog.getByRole('button', { name: 'Save settings' }).click();
      await eventually('settings closed', async () => (await dialog.count()) === 0);

      const file = JSON.parse(readFileSync(join(world.dir, 'config', 'config.json'), 'utf8')) as { settings: unknown };
      expect(file.settings).toMatchObject({ notifications: false, startHidden: true, keepalive: { interval: 30, countMax: 5 } });

      await page.reload();
      await page.getByRole('button', { name: 'Settings', exact: true }).click();
      dialog = dialogNamed(page, 'Settings');
      await dialog.waitFor();
      expect(await notifications().isChecked()).toBe(false);
      expect(await hidden().isChecked()).toBe(true);
      expect(await interval().inputValue()).toBe('30');
      expect(await count().inputValue()).toBe('5');
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      // The host form offers the new default.
      const hostForm = await openNewHostForm(page);
      expect(await hostForm.getByLabel('Keepalive interval (seconds)', { exact: true }).getAttribute('placeholder')).toBe('30');
      await closeWithEscape(page);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('kept the console clean', () => {
    expect(consoleErrors(page).filter((e) => !/favicon/.test(e))).toEqual([]);
  });
});
