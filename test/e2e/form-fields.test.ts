// The forms' richer fields in real Chromium with the real engine and sshd:
// tags on a forward (validated by the shared schema, found by the search),
// Unix socket forwards (a port to a socket on the server, a socket here to
// host:port), and the host form's jump chain picker (saved hosts in order,
// add, remove, reorder by keyboard, a loop refused).
import net from 'node:net';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startSshd, type Sshd } from '../support/sshd';
import { echoServer, type TestServer } from '../support/tcp';
import { closeAll, consoleErrors, dispatchOk, localForwardInput, openApp, reloadIfDialogOpen, sshdHostInput, startWorld, type World } from './harness';
import {
  ACTIVE,
  closeWithEscape,
  describedText,
  detailsPane,
  dialogNamed,
  echoThrough,
  eventually,
  fillForwardForm,
  focused,
  hostRow,
  openEditHostForm,
  openForwardForm,
  row,
  rowState,
  saveHost,
  stopForward,
  testConnection,
  textOf,
  waitForText,
} from './ui-helpers';

let sshd: Sshd;
let echo: TestServer;
let unixEcho: net.Server;
let unixEchoPath: string;
let world: World;
let page: Page;

beforeAll(async () => {
  [sshd, echo, world] = await Promise.all([startSshd(), echoServer(), startWorld()]);
  unixEchoPath = join(world.dir, 'echo.sock');
  unixEcho = net.createServer((s) => {
    s.on('error', () => undefined);
    s.pipe(s);
  });
  await new Promise<void>((r) => unixEcho.listen(unixEchoPath, () => r()));
  await dispatchOk(world, 'host.add', { host: sshdHostInput(sshd, 'mail') });
  ({ page } = await openApp(world));
}, 120_000);

afterEach(() => reloadIfDialogOpen(page));

afterAll(async () => {
  await closeAll(page?.context(), world);
  await new Promise((r) => unixEcho?.close(r));
  await closeAll(echo, sshd);
});

describe('forward form: tags', () => {
  it("saves comma separated tags, refuses a tag with a space with the schema's message, shows them, and the search finds them", async () => {
    const form = await openForwardForm(page);
    await fillForwardForm(form, { name: 'tagged', port: await freePort(), destinationHost: '127.0.0.1', destinationPort: echo.port });
    const tags = form.getByLabel('Tags', { exact: true });
    await tags.fill('mail, my tag');
    await form.getByText("Tag 'my tag' contains spaces; remove them.").waitFor();
    expect(await tags.getAttribute('aria-invalid')).toBe('true');
    await form.getByRole('button', { name: 'Save', exact: true }).click();
    expect(world.services.repo.getForward('tagged')).toBeUndefined();
    await tags.fill(' mail, work,, mail ');
    expect(await tags.getAttribute('aria-invalid')).toBe('false');
    await form.getByRole('button', { name: 'Save', exact: true }).click();
    await row(page, 'tagged').waitFor();
    expect(world.services.repo.getForward('tagged')?.tags).toEqual(['mail', 'work']);

    await row(page, 'tagged').click();
    const details = detailsPane(page, 'tagged');
    expect(await details.getByRole('list', { name: 'Tags' }).getByRole('listitem').allTextContents()).toEqual(['mail', 'work']);
    await details.getByRole('button', { name: 'Edit', exact: true }).click();
    const edit = dialogNamed(page, 'Edit forward tagged');
    expect(await edit.getByLabel('Tags', { exact: true }).inputValue()).toBe('mail, work');
    await edit.getByLabel('Tags', { exact: true }).fill('work');
    await edit.getByRole('button', { name: 'Save', exact: true }).click();
    await eventually('tags saved', async () => JSON.stringify(world.services.repo.getForward('tagged')?.tags) === '["work"]');

    await dispatchOk(world, 'forward.add', { forward: await localForwardInput('untagged', 'mail', echo.port) });
    await row(page, 'untagged').waitFor();
    await page.getByPlaceholder(/Search/).fill('work');
    await eventually('only the tagged forward listed', async () => (await row(page, 'untagged').count()) === 0 && (await row(page, 'tagged').count()) === 1);
    await page.getByPlaceholder(/Search/).fill('');
    await row(page, 'untagged').waitFor();
  }, 60_000);
});

describe('forward form: Unix sockets', () => {
  it('a port here to a Unix socket on the server: the socket field replaces host and port, and bytes flow', async () => {
    const form = await openForwardForm(page);
    await form.getByLabel('Name', { exact: true }).fill('to-socket');
    const variant = form.getByLabel('Variant', { exact: true });
    expect((await variant.locator('option').allTextContents()).map((t) => t.trim())).toEqual([
      'A port here → host:port (the usual)',
      'A port here → a Unix socket on the server',
      'A Unix socket here → host:port',
    ]);
    await variant.selectOption({ label: 'A port here → a Unix socket on the server' });
    expect(await form.getByLabel('Destination host', { exact: true }).count()).toBe(0);
    const port = await freePort();
    await form.getByLabel('Local port', { exact: true }).fill(String(port));
    // Left empty: the shared schema's message, and nothing is saved.
    await form.getByRole('button', { name: 'Save and start' }).click();
    await form.getByText('Destination socket is empty; give a file path or leave it out.').waitFor();
    expect(world.services.repo.getForward('to-socket')).toBeUndefined();
    await form.getByLabel('Destination socket', { exact: true }).fill(unixEchoPath);
    await form.getByRole('button', { name: 'Save and start' }).click();
    await waitForText(rowState(page, 'to-socket'), ACTIVE);
    expect(await textOf(row(page, 'to-socket'))).toContain(unixEchoPath);
    const saved = world.services.repo.getForward('to-socket')!;
    expect(saved).toMatchObject({ kind: 'local', listen: { host: '127.0.0.1', port }, target: { path: unixEchoPath } });
    const payload = Buffer.from('through a port to a socket');
    const { socket, echoed } = await echoThrough(port, payload);
    socket.destroy();
    expect(echoed.equals(payload)).toBe(true);
    await stopForward(page, 'to-socket');

    // Editing shows the variant and the path as saved.
    await row(page, 'to-socket').dblclick();
    const edit = dialogNamed(page, 'Edit forward to-socket');
    expect(await edit.getByLabel('Variant', { exact: true }).inputValue()).toBe('toSocket');
    expect(await edit.getByLabel('Destination socket', { exact: true }).inputValue()).toBe(unixEchoPath);
    await edit.getByRole('button', { name: 'Cancel' }).click();
  }, 60_000);

  it('a Unix socket here to host:port: the socket field replaces bind address and port, and bytes flow', async () => {
    const form = await openForwardForm(page);
    await form.getByLabel('Name', { exact: true }).fill('from-socket');
    await form.getByLabel('Variant', { exact: true }).selectOption({ label: 'A Unix socket here → host:port' });
    expect(await form.getByLabel('Local port', { exact: true }).count()).toBe(0);
    expect(await form.getByLabel('Bind address', { exact: true }).count()).toBe(0);
    const path = join(world.dir, 'here.sock');
    await form.getByLabel('Listening socket', { exact: true }).fill(path);
    await form.getByLabel('Destination host', { exact: true }).fill('127.0.0.1');
    await form.getByLabel('Destination port', { exact: true }).fill(String(echo.port));
    await form.getByRole('button', { name: 'Save and start' }).click();
    await waitForText(rowState(page, 'from-socket'), ACTIVE);
    expect(world.services.repo.getForward('from-socket')).toMatchObject({ listen: { path }, target: { host: '127.0.0.1', port: echo.port } });
    const payload = Buffer.from('through a socket to a port');
    const { socket, echoed } = await echoThrough(path, payload);
    socket.destroy();
    expect(echoed.equals(payload)).toBe(true);
    await stopForward(page, 'from-socket');
  }, 60_000);

  it('a remote forward offers its own variants, and a SOCKS forward none', async () => {
    const form = await openForwardForm(page);
    await form.getByRole('radio', { name: /^Remote \(-R\)/ }).check();
    expect((await form.getByLabel('Variant', { exact: true }).locator('option').allTextContents()).map((t) => t.trim())).toEqual([
      'A port on the server → host:port (the usual)',
      'A port on the server → a Unix socket here',
      'A Unix socket on the server → host:port',
    ]);
    await form.getByRole('radio', { name: /^Dynamic \(-D\)/ }).check();
    expect(await form.getByLabel('Variant', { exact: true }).count()).toBe(0);
    await form.getByRole('button', { name: 'Cancel' }).click();
  }, 60_000);
});

describe('host form: the jump chain picker', () => {
  it('lists saved hosts, adds, reorders by keyboard and removes them; refuses a host that jumps through this one; the chain connects', async () => {
    for (const name of ['bastion', 'gw']) await dispatchOk(world, 'host.add', { host: sshdHostInput(sshd, name) });
    await dispatchOk(world, 'host.add', { host: sshdHostInput(sshd, 'inner') });
    await dispatchOk(world, 'host.add', { host: sshdHostInput(sshd, 'loopy', { jump: ['inner'] }) });

    const form = await openEditHostForm(page, 'inner');
    const chain = form.getByRole('group', { name: 'Jump hosts' });
    await chain.getByText('None: Burrow connects straight to this host.').waitFor();
    const pick = chain.getByLabel('Jump host to add', { exact: true });
    // Every other saved host, never this one.
    expect((await pick.locator('option').allTextContents()).map((t) => t.trim().split(' ')[0])).toEqual(['Choose', 'mail', 'bastion', 'gw', 'loopy']);

    // loopy jumps through inner: adding it would loop, and the shared validation says so.
    await pick.selectOption('loopy');
    await chain.getByRole('button', { name: 'Add jump host' }).click();
    await chain.getByRole('alert').filter({ hasText: "The jump hosts of 'inner' loop (inner -> loopy -> inner); break the loop." }).waitFor();
    expect(await chain.getByRole('list', { name: 'Jump hosts, outermost first' }).count()).toBe(0);

    await pick.selectOption('gw');
    await chain.getByRole('button', { name: 'Add jump host' }).click();
    await pick.selectOption('bastion');
    await chain.getByRole('button', { name: 'Add jump host' }).click();
    const list = chain.getByRole('list', { name: 'Jump hosts, outermost first' });
    const order = async () => (await list.locator('.jump-name').allTextContents()).map((t) => t.trim());
    expect(await order()).toEqual(['gw', 'bastion']);
    expect(await chain.getByRole('alert').count()).toBe(0);

    // Keyboard: Enter on "Move bastion up", then Alt+ArrowDown moves it back; the focus stays with bastion.
    await chain.getByRole('button', { name: 'Move bastion up' }).focus();
    await page.keyboard.press('Enter');
    await eventually('bastion first', async () => (await order()).join() === 'bastion,gw');
    expect(await focused(chain.getByRole('button', { name: 'Move bastion down' }))).toBe(true);
    await page.keyboard.press('Alt+ArrowDown');
    await eventually('bastion last', async () => (await order()).join() === 'gw,bastion');
    expect(await focused(chain.getByRole('button', { name: 'Move bastion up' }))).toBe(true);
    await page.keyboard.press('Enter');
    await eventually('bastion first again', async () => (await order()).join() === 'bastion,gw');

    // Remove gw; the chain bastion -> inner is tested for real, then saved.
    await chain.getByRole('button', { name: 'Remove gw' }).click();
    expect(await order()).toEqual(['bastion']);
    await testConnection(form);
    await saveHost(form, 'inner');
    await eventually('saved', async () => JSON.stringify(world.services.repo.getHost('inner')?.jump) === '["bastion"]');
    await waitForText(hostRow(page, 'inner'), /bastion/);
    await closeWithEscape(page);
  }, 60_000);

  it('kept the console clean', () => {
    expect(consoleErrors(page).filter((e) => !/favicon/.test(e))).toEqual([]);
  });
});

describe('host form: keepalive', () => {
  it('marks the keepalive field that is wrong, with its own message, and a refused save focuses it', async () => {
    await dispatchOk(world, 'host.add', { host: sshdHostInput(sshd, 'kept') });
    const form = await openEditHostForm(page, 'kept');
    const interval = form.getByLabel('Keepalive interval (seconds)', { exact: true });
    const count = form.getByLabel('Keepalive count', { exact: true });

    await count.fill('0');
    await eventually('the count marked invalid', async () => (await count.getAttribute('aria-invalid')) === 'true');
    expect(await describedText(count)).toContain('Keepalive count must be a whole number from 1 to 1000 (got 0).');
    expect(await interval.getAttribute('aria-invalid')).toBe('false');
    expect(await describedText(interval)).not.toContain('must be');

    await interval.fill('20');
    await form.getByRole('button', { name: 'Save host' }).click();
    await eventually('the count focused', () => focused(count));
    expect(world.services.repo.getHost('kept')?.keepalive).toBeUndefined();

    await count.fill('4');
    await interval.fill('x');
    await eventually('the interval marked invalid', async () => (await interval.getAttribute('aria-invalid')) === 'true');
    expect(await describedText(interval)).toContain('Keepalive interval (seconds) must be a whole number from 0 to 86400 (got "x").');
    expect(await count.getAttribute('aria-invalid')).toBe('false');

    await interval.fill('20');
    await saveHost(form, 'kept');
    expect(world.services.repo.getHost('kept')?.keepalive).toEqual({ interval: 20, countMax: 4 });
    await closeWithEscape(page);
  }, 60_000);
});
