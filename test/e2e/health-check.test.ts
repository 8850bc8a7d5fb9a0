// The details pane's health check in real Chromium, against the real engine and
// sshd: a -L forward measures a channel to its destination, a -D forward (no
// fixed destination) the SSH session's round trip, and a refusing destination
// shows the engine's message instead of "Healthy".
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startSshd, type Sshd } from '../support/sshd';
import { echoServer, type TestServer } from '../support/tcp';
import { closeAll, dispatchOk, localForwardInput, openApp, sshdHostInput, startWorld, type World } from './harness';
import { detailsPane, row, waitForText } from './ui-helpers';

let sshd: Sshd;
let echo: TestServer;
let world: World;
let page: Page;

const dispatch = (channel: string, input: unknown) => dispatchOk(world, channel, input);

async function healthOf(name: string): Promise<string> {
  await row(page, name).click();
  const pane = detailsPane(page, name);
  await pane.getByRole('button', { name: 'Health check', exact: true }).click();
  return waitForText(pane.locator('.health [role="status"]'), /Healthy|refused|failed|could not|not/i, 20_000);
}

beforeAll(async () => {
  sshd = await startSshd();
  echo = await echoServer();
  world = await startWorld();
  ({ page } = await openApp(world));
  await dispatch('host.add', { host: sshdHostInput(sshd, 'lab') });
}, 120_000);

afterAll(() => closeAll(page?.context(), world, echo, sshd));

describe('health check in the details pane', () => {
  it('a local forward: a round trip to its destination', async () => {
    await dispatch('forward.add', { forward: await localForwardInput('web', 'lab', echo.port), start: true });
    expect(await healthOf('web')).toMatch(/^Healthy, round trip \d+\.\d ms$/);
  }, 60_000);

  it('a SOCKS forward: the SSH session round trip, and says so', async () => {
    await dispatch('forward.add', {
      forward: { name: 'proxy', kind: 'dynamic', listen: { host: '127.0.0.1', port: await freePort() }, host: 'lab' },
      start: true,
    });
    expect(await healthOf('proxy')).toMatch(/^Healthy, round trip \d+\.\d ms \(SSH session: a SOCKS proxy has no fixed destination\)$/);
  }, 60_000);

  it('a destination that refuses: the message, not "Healthy"', async () => {
    const closed = await freePort();
    await dispatch('forward.add', { forward: await localForwardInput('dead', 'lab', closed), start: true });
    const text = await healthOf('dead');
    expect(text).not.toContain('Healthy');
    expect(text).toContain(`127.0.0.1:${closed}`);
  }, 60_000);
});
