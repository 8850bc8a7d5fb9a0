// The details pane's Close on a connection, in real Chromium against the real
// engine and sshd: the row's count and the connections table drop at once, for
// a busy connection and an idle one.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import net from 'node:net';
import { startSshd, type Sshd } from '../support/sshd';
import { echoServer, serve, type TestServer } from '../support/tcp';
import { closeAll, dispatchOk, localForwardInput, openApp, sshdHostInput, startWorld, type World } from './harness';
import { ACTIVE, detailsPane, echoThrough, row, rowState, waitForText } from './ui-helpers';

let sshd: Sshd;
let echo: TestServer;
let silent: TestServer;
let world: World;
let page: Page;

beforeAll(async () => {
  sshd = await startSshd();
  echo = await echoServer();
  silent = await serve(() => undefined);
  world = await startWorld();
  await dispatchOk(world, 'host.add', { host: sshdHostInput(sshd, 'box') });
  ({ page } = await openApp(world));
}, 120_000);

afterAll(() => closeAll(page?.context(), world, echo, silent, sshd));

async function closeFromDetails(name: string, sock: net.Socket) {
  const r = row(page, name);
  await waitForText(r.getByLabel('Open connections'), /^1 open$/);
  await r.click();
  const details = detailsPane(page, name);
  const gone = new Promise((res) => sock.once('close', res));
  await details.getByRole('button', { name: `Close connection from 127.0.0.1:${sock.localPort}` }).click();
  await gone;
  await waitForText(r.getByLabel('Open connections'), /^0 open$/, 5_000);
  // The row's count is the engine's own; the table is reloaded from it when the count moves.
  await details.getByText('No open connections.').waitFor({ timeout: 5_000 });
}

describe('Close a connection from the details pane', () => {
  it('clears a busy connection and an idle one from the row and the table', async () => {
    for (const [name, port] of [
      ['busy', echo.port],
      ['idle', silent.port],
    ] as const) {
      const input = await localForwardInput(name, 'box', port);
      await dispatchOk(world, 'forward.add', { forward: input, start: true });
      await waitForText(rowState(page, name), ACTIVE);
      let sock: net.Socket;
      if (name === 'busy') sock = (await echoThrough(input.listen.port, Buffer.from('hello'))).socket;
      else {
        sock = net.connect(input.listen.port, '127.0.0.1');
        await new Promise((res) => sock.once('connect', res));
      }
      sock.on('error', () => undefined);
      await closeFromDetails(name, sock);
    }
  }, 90_000);
});
