// Browser mode when `burrow web` goes away, in real Chromium: the rows no
// longer claim a state they cannot know (Unknown, switches off and disabled),
// and the details pane's actions are disabled.
import { rmSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, startSshd, type Sshd } from '../support/sshd';
import { echoServer, type TestServer } from '../support/tcp';
import { dispatchOk, localForwardInput, openApp, sshdHostInput, startWorld, type World } from './harness';
import { ACTIVE, detailsPane, eventually, row, rowState, switchState, waitForText } from './ui-helpers';

let sshd: Sshd;
let echo: TestServer;
let world: World;
let page: Page;

beforeAll(async () => {
  sshd = await startSshd();
  echo = await echoServer();
  world = await startWorld();
  await dispatchOk(world, 'host.add', { host: sshdHostInput(sshd, 'mail') });
  await dispatchOk(world, 'forward.add', { forward: await localForwardInput('pop3-mail', 'mail', echo.port), start: true });
  ({ page } = await openApp(world));
}, 120_000);

afterAll(async () => {
  // The server is stopped by the test: close the rest by hand.
  await world?.browser.close().catch(() => undefined);
  await world?.services.close();
  if (world) rmSync(world.dir, { recursive: true, force: true });
  await echo?.close();
  cleanup(sshd);
});

describe('the engine out of reach', () => {
  it('rows say Unknown with their switches disabled, and the details actions are disabled', async () => {
    await waitForText(rowState(page, 'pop3-mail'), ACTIVE);
    await row(page, 'pop3-mail').click();
    const details = detailsPane(page, 'pop3-mail');
    await details.waitFor();

    await world.server.close();
    await waitForText(rowState(page, 'pop3-mail'), /^Unknown/);
    expect(await row(page, 'pop3-mail').getAttribute('aria-label')).toBe('pop3-mail, state unknown');
    const sw = page.getByRole('switch', { name: 'pop3-mail', exact: true });
    expect(await sw.isDisabled()).toBe(true);
    expect(await switchState(page, 'pop3-mail')).toBe(false);
    await eventually('the Stop button disabled', () => details.getByRole('button', { name: 'Stop', exact: true }).isDisabled());
    expect(await details.getByRole('button', { name: 'Remove', exact: true }).isDisabled()).toBe(true);
  }, 60_000);
});
