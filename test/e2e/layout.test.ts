// Small and large windows, in real Chromium: at 720x480 (the window's minimum),
// 800x600, 1280x800 and 1440x900, with long names and 50 forwards, the state of
// every visible row stays readable (also with a row selected and the details
// pane open), the toolbar stays one line, and every dialog's actions can be reached.
import net from 'node:net';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startSshd, type Sshd } from '../support/sshd';
import { echoServer, type TestServer } from '../support/tcp';
import { closeAll, dispatchOk, openApp, sshdHostInput, startWorld, type World } from './harness';
import { ACTIVE, dialogNamed, openForwardForm, openHostsDialog, row, rowState, waitForText } from './ui-helpers';

const SIZES = [
  { width: 720, height: 480 },
  { width: 800, height: 600 },
  { width: 1280, height: 800 },
  { width: 1440, height: 900 },
];
const LONG_HOST = 'work-bastion-eu-west-1-production-jump-host';

let sshd: Sshd;
let echo: TestServer;
let world: World;
const keep: net.Socket[] = [];

beforeAll(async () => {
  sshd = await startSshd();
  echo = await echoServer();
  world = await startWorld();
  await dispatchOk(world, 'host.add', { host: sshdHostInput(sshd, LONG_HOST) });
  await dispatchOk(world, 'host.add', { host: sshdHostInput(sshd, 'db') });
  for (let i = 0; i < 50; i++) {
    const name = i % 2 ? `work-bastion-L2${String(i).padStart(3, '0')}-postgres-reporting-replica` : `svc-${i}`;
    await dispatchOk(world, 'forward.add', {
      forward: {
        name,
        kind: i % 7 === 3 ? 'dynamic' : 'local',
        listen: { host: '127.0.0.1', port: 20000 + i },
        target: i % 7 === 3 ? undefined : { host: 'internal-service.example.com', port: 5432 },
        host: i % 3 ? LONG_HOST : 'db',
        group: `group-${i % 4}`,
      },
    });
  }
  // A few running, one with live connections.
  const active = await dispatchOk(world, 'forward.add', {
    forward: {
      name: 'work-bastion-L2999-echo-with-live-traffic',
      kind: 'local',
      listen: { host: '127.0.0.1', port: await freePort() },
      target: { host: '127.0.0.1', port: echo.port },
      host: LONG_HOST,
    },
    start: true,
  });
  const port = (active as { forward: { listen: { port: number } } }).forward.listen.port;
  for (let i = 0; i < 2; i++) {
    const s = net.connect(port, '127.0.0.1');
    s.on('error', () => undefined);
    keep.push(s);
  }
}, 180_000);

afterAll(async () => {
  keep.forEach((s) => s.destroy());
  await closeAll(world, echo, sshd);
});

// Page-side code below: the tests' tsconfig has no DOM types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
declare const document: any, innerWidth: number, innerHeight: number;
type El = { getBoundingClientRect(): { left: number; right: number; top: number; bottom: number; width: number; height: number } } & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The box of an element, or null when it is not rendered. */
const box = (l: Locator) => l.boundingBox();

/**
 * Every row inside the list pane's visible area: its state label is rendered,
 * inside the row and inside the pane (not cut by the edge or an ellipsis), and
 * so is its open connections count.
 */
async function visibleRowsReadable(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const pane = document.querySelector('.list-pane')!.getBoundingClientRect();
    for (const li of document.querySelectorAll('li.row') as El[]) {
      const r = li.getBoundingClientRect();
      if (r.bottom <= pane.top || r.top >= pane.bottom) continue;
      const name = li.dataset.forward;
      for (const sel of ['.state-label', '.row-conns']) {
        const el = li.querySelector(sel) as El;
        const b = el.getBoundingClientRect();
        const visibleWidth = Math.min(b.right, r.right, pane.right) - Math.max(b.left, r.left, pane.left);
        if (b.width === 0 || visibleWidth < b.width - 0.5 || el.scrollWidth > el.clientWidth + 1)
          problems.push(`${name}: ${sel} cut (${Math.round(visibleWidth)} of ${Math.round(b.width)} px shown)`);
      }
    }
    return problems;
  });
}

/**
 * The top dialog's action buttons (its sticky footer) are inside the window and
 * the dialog, and nothing covers them; so are the buttons of its tables (the
 * hosts list's Edit and Remove).
 */
async function actionsReachable(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const dialogs = [...document.querySelectorAll('dialog[open]')] as El[];
    const top = dialogs.at(-1)!;
    const d = top.getBoundingClientRect();
    const buttons = ([...top.querySelectorAll('.dialog-actions button, .table button')] as El[]).filter((b) => b.closest('dialog') === top);
    for (const b of buttons) {
      const r = b.getBoundingClientRect();
      const label = b.getAttribute('aria-label') ?? b.textContent;
      if (r.left < Math.max(0, d.left) - 0.5 || r.right > Math.min(innerWidth, d.right) + 0.5) problems.push(`${label}: cut at the side`);
      else if (b.closest('.dialog-actions') && (r.top < 0 || r.bottom > Math.min(innerHeight, d.bottom) + 0.5)) problems.push(`${label}: below the fold`);
      else if (b.closest('.dialog-actions')) {
        const at = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        if (!at || !b.contains(at)) problems.push(`${label}: covered`);
      }
    }
    return problems;
  });
}

/** Opens a dialog with a toolbar button (and what follows), checks its actions, and closes it with Escape. */
async function checkDialog(page: Page, open: () => Promise<unknown>, name: string): Promise<string[]> {
  await open();
  await dialogNamed(page, name).waitFor();
  const problems = (await actionsReachable(page)).map((p) => `${name}: ${p}`);
  while ((await page.locator('dialog[open]').count()) > 0) await page.keyboard.press('Escape');
  return problems;
}

const toolbarButton = (page: Page, name: string) => page.getByRole('banner').getByRole('button', { name, exact: true }).click();

describe('layout at every window size the app allows', () => {
  for (const size of SIZES) {
    it(`${size.width}x${size.height}: rows keep their state readable, with and without the details pane; dialogs keep their actions reachable`, async () => {
      const { page, context } = await openApp(world, { viewport: size });
      try {
        await waitForText(rowState(page, 'work-bastion-L2999-echo-with-live-traffic'), ACTIVE);
        if (process.env.BURROW_LAYOUT_SHOTS) await page.screenshot({ path: `/tmp/layout-${size.width}-list.png` });
        expect(await visibleRowsReadable(page)).toEqual([]);

        // The toolbar: one line in a large window, never more than two (the filters on their own);
        // a long host name picked in the host filter changes nothing.
        const toolbar = page.getByRole('banner');
        const lineHeight = (await box(page.getByRole('button', { name: 'Add forward', exact: true })))!.height + 16;
        const before = (await box(toolbar))!.height;
        expect(before).toBeLessThan(size.width >= 1280 ? lineHeight + 4 : lineHeight * 2 + 4);
        await page.getByLabel('Filter by host', { exact: true }).selectOption(LONG_HOST);
        expect((await box(toolbar))!.height).toBe(before);
        await page.getByLabel('Filter by host', { exact: true }).selectOption('');

        await row(page, 'work-bastion-L2999-echo-with-live-traffic').click();
        await page.getByRole('complementary', { name: /^Details of / }).waitFor();
        if (process.env.BURROW_LAYOUT_SHOTS) await page.screenshot({ path: `/tmp/layout-${size.width}.png` });
        expect(await visibleRowsReadable(page)).toEqual([]);

        const problems = [
          ...(await checkDialog(page, () => openForwardForm(page), 'Add forward')),
          ...(await checkDialog(page, () => openHostsDialog(page), 'SSH hosts')),
          ...(await checkDialog(page, async () => (await openHostsDialog(page)).getByRole('button', { name: 'Add host' }).click(), 'Add host')),
          ...(await checkDialog(page, () => toolbarButton(page, 'Presets'), 'Start from a preset')),
          ...(await checkDialog(page, () => toolbarButton(page, 'Import'), 'Import')),
          ...(await checkDialog(page, () => toolbarButton(page, 'Export'), 'Export')),
          ...(await checkDialog(page, () => toolbarButton(page, 'Settings'), 'Settings')),
        ];
        expect(problems).toEqual([]);
      } finally {
        await context.close();
      }
    }, 120_000);
  }
});
