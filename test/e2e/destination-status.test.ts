// What the list says of a forward's destination, in real Chromium against the real
// engine and two real sshds (one with AllowTcpForwarding no): "destination not yet
// tried" until a connection or a health check has gone through, the form's health
// check at start, and Retry now on a refused destination saying what it found.
import net from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startSshd, type Sshd } from '../support/sshd';
import { echoServer, type TestServer } from '../support/tcp';
import { closeAll, dispatchOk, localForwardInput, openApp, sshdHostInput, startWorld, type World } from './harness';
import { detailsPane, dismissNotices, echoThrough, fillForwardForm, openForwardForm, row, rowState, waitForText } from './ui-helpers';

let open: Sshd;
let forbidding: Sshd;
let echo: TestServer;
let world: World;
let page: Page;

const dispatch = (channel: string, input: unknown) => dispatchOk(world, channel, input);

beforeAll(async () => {
  [open, forbidding, echo] = await Promise.all([startSshd(), startSshd({ config: ['AllowTcpForwarding no'] }), echoServer()]);
  world = await startWorld();
  ({ page } = await openApp(world));
  await dispatch('host.add', { host: sshdHostInput(open, 'lab') });
  await dispatch('host.add', { host: sshdHostInput(forbidding, 'strict') });
}, 120_000);

afterAll(() => closeAll(page?.context(), world, echo, open, forbidding));

describe('the destination in the list', () => {
  it('not yet tried until a first connection goes through, in the text and the accessible name', async () => {
    const input = await localForwardInput('web', 'lab', echo.port);
    await dispatch('forward.add', { forward: input, start: true });
    expect(await waitForText(rowState(page, 'web'), /Active, destination not yet tried/)).toContain('Active, destination not yet tried');
    expect(await row(page, 'web').getAttribute('aria-label')).toBe('web, Active, destination not yet tried');

    const { socket } = await echoThrough(input.listen.port, Buffer.from('hi'));
    socket.destroy();
    await waitForText(rowState(page, 'web'), /^Active$/);
    expect(await row(page, 'web').getAttribute('aria-label')).toBe('web, Active');
  }, 60_000);

  it('the form\'s "Check the destination when it starts": a server that forbids forwarding shows as failing with no client', async () => {
    const form = await openForwardForm(page);
    await fillForwardForm(form, { name: 'checked', host: 'strict', port: await freePort(), destinationHost: '127.0.0.1', destinationPort: echo.port });
    const box = form.getByRole('checkbox', { name: 'Check the destination when it starts' });
    expect(await box.isChecked()).toBe(false);
    expect(await box.getAttribute('aria-describedby')).toBeTruthy();
    await box.check();
    await form.getByRole('button', { name: 'Save and start' }).click();
    const text = await waitForText(rowState(page, 'checked'), /destination failing/, 30_000);
    expect(text).toContain('The SSH server forbids forwarding to 127.0.0.1:');
    expect(await row(page, 'checked').getAttribute('aria-label')).toBe('checked, Active, destination failing');
    const snapshot = (await dispatch('state.get', undefined)) as { forwards: { forward: { name: string; healthCheckAtStart?: boolean } }[] };
    expect(snapshot.forwards.find((v) => v.forward.name === 'checked')?.forward.healthCheckAtStart).toBe(true);
    await dismissNotices(page);
  }, 60_000);

  it('Retry now on a refused destination checks it again and says what it found', async () => {
    const closed = await freePort();
    const input = await localForwardInput('dead', 'lab', closed, { healthCheckAtStart: true });
    await dispatch('forward.add', { forward: input, start: true });
    await waitForText(rowState(page, 'dead'), /destination failing/, 30_000);
    await row(page, 'dead').click();
    const pane = detailsPane(page, 'dead');
    await pane.getByRole('button', { name: 'Retry now' }).click();
    const still = page.getByRole('alert').filter({ hasText: 'dead: the SSH tunnel is up, but' });
    expect(await waitForText(still, /still fails/)).toContain(`127.0.0.1:${closed} still fails`);
    await dismissNotices(page);

    const server = await new Promise<net.Server>((resolve) => {
      const srv = net.createServer((s) => s.end()).listen(closed, '127.0.0.1', () => resolve(srv));
    });
    try {
      await pane.getByRole('button', { name: 'Retry now' }).click();
      expect(await waitForText(page.getByRole('status').filter({ hasText: 'answers now' }), /answers now/)).toContain(`dead: 127.0.0.1:${closed} answers now.`);
      await waitForText(rowState(page, 'dead'), /^Active$/);
    } finally {
      server.close();
    }
  }, 60_000);
});
