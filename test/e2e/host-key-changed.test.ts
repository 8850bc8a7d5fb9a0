// A changed host key in the window (browser mode, real engine, real sshd): a
// loud modal warning, whenever a forward is refused for it and however it was
// started (a click here, the dispatcher as the tray and autostart use it, a
// window opened afterwards). It names the server, the new fingerprint and the
// file and line of the old key, says it could be an attack and what to do, and
// offers no way to accept the key.
// BURROW_E2E_SHOTS=/some/dir saves a screenshot of the warning there.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keygen, startSshd, type Sshd } from '../support/sshd';
import { echoServer, type TestServer } from '../support/tcp';
import { closeAll, consoleErrors, dispatchOk, localForwardInput, openApp, sshdHostInput, startWorld, type World } from './harness';
import { detailsPane, eventually, focused, rowState, textOf, waitForText } from './ui-helpers';

let sshd: Sshd;
let echo: TestServer;
let world: World;
let page: Page;
let knownHosts: string;
let impostor: string;
let token: string;
let fingerprint: string;

const dispatch = (channel: string, input: unknown) => dispatchOk(world, channel, input);
const warningIn = (p: Page) => p.getByRole('alertdialog', { name: /host key of .* has changed/ });

/** The warning's own content: a notice raised meanwhile is shown inside the dialog too (.toasts). */
const own = (l: Locator) => l.locator(':scope > :not(.toasts)');

/** The warning's buttons, by their accessible names. */
async function buttonNames(l: Locator): Promise<string[]> {
  const out: string[] = [];
  for (const b of await own(l).getByRole('button').all()) out.push((await b.getAttribute('aria-label')) ?? (await textOf(b)).trim());
  return out;
}

async function expectTheWarning(l: Locator, forwards: string[]) {
  const text = await textOf(l);
  expect(text).toContain(token);
  expect(text).toContain(fingerprint);
  expect(text).toContain(`${knownHosts} line 2`);
  expect(text).toMatch(/could be an attack/);
  expect(text).toMatch(/administrator/);
  expect(text).toContain(`ssh-keygen -R '${token}' -f ${knownHosts}`);
  for (const f of forwards) expect(text).toContain(f);
  // Not "did not start": they may have been running before the key changed.
  expect(text).toMatch(forwards.length === 1 ? /the forward \S+ is not running/ : /the forwards .+ are not running/);
  expect(text).not.toContain('did not start');
  expect(await buttonNames(l)).toEqual(['Close', 'Copy ssh-keygen -R command', 'Open details', 'Close']);
  for (const label of [/trust/i, /accept/i, /replace/i, /retry/i, /continue/i, /connect/i])
    expect(await own(l).getByRole('button', { name: label }).count()).toBe(0);
}

async function closeWarning(p: Page) {
  const w = warningIn(p);
  await w.getByRole('button', { name: 'Close', exact: true }).last().click();
  await eventually('the warning closed', async () => (await w.count()) === 0);
}

beforeAll(async () => {
  [sshd, echo, world] = await Promise.all([startSshd(), echoServer(), startWorld()]);
  const otherKey = keygen(join(world.dir, 'impostor_ed25519'));
  knownHosts = join(world.dir, 'changed_known_hosts');
  impostor = readFileSync(`${otherKey}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
  token = `[127.0.0.1]:${sshd.port}`;
  writeFileSync(knownHosts, `# line 1: a comment\n${token} ${impostor}\n`);
  fingerprint =
    'SHA256:' +
    createHash('sha256')
      .update(Buffer.from(sshd.hostPublicKey.split(' ')[1], 'base64'))
      .digest('base64')
      .replace(/=+$/, '');
  await dispatch('host.add', { host: sshdHostInput(sshd, 'moved', { knownHostsFile: knownHosts, strictHostKeyChecking: 'ask' }) });
  for (const name of ['moved-echo', 'moved-web']) {
    await dispatch('forward.add', { forward: await localForwardInput(name, 'moved', echo.port, { group: 'moved' }) });
  }
  ({ page } = await openApp(world));
}, 120_000);

afterAll(() => closeAll(page?.context(), world, echo, sshd));

describe('a changed host key (browser mode, real engine, real sshd)', () => {
  it("started from the window: a modal warning with the server, the new fingerprint, the old key's file and line, what to do, and no way to accept", async () => {
    await page.getByRole('switch', { name: 'moved-echo', exact: true }).click();
    const w = warningIn(page);
    await w.waitFor();
    expect(await w.getAttribute('role')).toBe('alertdialog');
    await expectTheWarning(w, ['moved-echo']);
    expect(await focused(w.getByRole('button', { name: 'Close', exact: true }).last())).toBe(true);
    await waitForText(rowState(page, 'moved-echo'), /^Failed/);
    // The warning says it all: no second notice for the same failure.
    expect(await page.locator('.toast').filter({ hasText: 'moved-echo' }).count()).toBe(0);
    const dir = process.env.BURROW_E2E_SHOTS;
    if (dir) await page.screenshot({ path: join(dir, 'changed-host-key.png') });

    await w.getByRole('button', { name: 'Copy ssh-keygen -R command' }).click();
    const copied = await eventually('the command on the clipboard', async () => (await page.evaluate('navigator.clipboard.readText()')) as string);
    expect(copied).toBe(`ssh-keygen -R '${token}' -f ${knownHosts}`);
    expect(await w.isVisible()).toBe(true);

    await w.getByRole('button', { name: 'Open details' }).click();
    await eventually('the warning closed', async () => (await w.count()) === 0);
    const details = detailsPane(page, 'moved-echo');
    const alarm = details.getByRole('alert').filter({ hasText: "Warning: the server's host key has changed." });
    await alarm.waitFor();
    expect(await textOf(alarm)).toContain(`${knownHosts} line 2`);
    for (const label of [/trust/i, /accept/i, /retry/i, /replace/i]) expect(await details.getByRole('button', { name: label }).count()).toBe(0);
    expect(readFileSync(knownHosts, 'utf8')).toContain(impostor);

    // Dismissed stays dismissed while nothing new happens (a reload of the profiles does not bring it back).
    await dispatch('host.add', { host: sshdHostInput(sshd, 'unrelated') });
    await eventually('the profiles reloaded', async () => (await page.getByText('2 hosts').count()) > 0);
    expect(await warningIn(page).count()).toBe(0);
  }, 60_000);

  it('started outside the window (the dispatcher, as the tray and autostart do): the warning appears by itself, one for both forwards', async () => {
    // The tray's start/stop and group items go through this dispatcher; no click in the page.
    const r = (await dispatch('group.start', { group: 'moved' })) as { results: { name: string; ok: boolean; code?: string }[] };
    expect(r.results.map((x) => [x.name, x.ok, x.code])).toEqual([
      ['moved-echo', false, 'HOSTKEY_CHANGED'],
      ['moved-web', false, 'HOSTKEY_CHANGED'],
    ]);
    const w = warningIn(page);
    await w.waitFor();
    await waitForText(w, /moved-echo and moved-web|moved-web and moved-echo/);
    await expectTheWarning(w, ['moved-echo', 'moved-web']);
    expect(await page.getByRole('alertdialog').count()).toBe(1);
    await closeWarning(page);
  }, 60_000);

  it('a window opened after the failure shows the warning at once', async () => {
    const later = await openApp(world);
    try {
      const w = warningIn(later.page);
      await w.waitFor();
      await expectTheWarning(w, ['moved-echo', 'moved-web']);
      await closeWarning(later.page);
      expect(later.errors).toEqual([]);
    } finally {
      await later.context.close();
    }
  }, 60_000);

  it('once the old line is removed as advised, the next start asks about the new key', async () => {
    execFileSync('sh', ['-c', `ssh-keygen -R '${token}' -f ${knownHosts}`], { stdio: 'ignore' });
    expect(readFileSync(knownHosts, 'utf8')).not.toContain(impostor);
    await page.getByRole('switch', { name: 'moved-echo', exact: true }).click();
    const ask = page.getByRole('alertdialog', { name: 'Unknown host key' });
    await ask.waitFor();
    expect(await textOf(ask)).toContain(fingerprint);
    await ask.getByRole('button', { name: 'Cancel' }).click();
    await waitForText(rowState(page, 'moved-echo'), /^Failed/);
    expect(await warningIn(page).count()).toBe(0);
  }, 60_000);

  it('kept the console clean', () => {
    expect(consoleErrors(page).filter((e) => !/favicon/.test(e))).toEqual([]);
  });
});
