// Accessibility, measured in real Chromium: axe-core (WCAG 2.2 A/AA and best
// practices) on the main view, every dialog and every prompt, in the light and
// the dark theme: 0 violations. Plus the contrast axe cannot see (WCAG 2.2 AA,
// 1.4.11: >= 3:1 for focus indicators and controls; 1.4.3: >= 4.5:1 for the
// 11 px kind badges), computed from the page's own colours.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTcpip, startFakeServer, type FakeServer } from '../support/ssh2-server';
import { freePort, keygen, startSshd, type Sshd } from '../support/sshd';
import { echoServer, type TestServer } from '../support/tcp';
import { closeAll, dispatchOk, localForwardInput, openApp, sshdHostInput, startWorld, type World } from './harness';
import { ACTIVE, axeViolations, detailsPane, eventually, dialogNamed, openForwardForm, openHostsDialog, row, rowState, waitForText } from './ui-helpers';

let sshd: Sshd;
let echo: TestServer;
let world: World;
/** Asks a password, then a one-time code (keyboard-interactive, as PAM with two factors). */
let twoFactor: FakeServer;

beforeAll(async () => {
  sshd = await startSshd();
  echo = await echoServer();
  world = await startWorld();
  twoFactor = await startFakeServer({
    auth: (ctx) => {
      if (ctx.method !== 'keyboard-interactive') return ctx.reject(['keyboard-interactive']);
      ctx.prompt([{ prompt: 'Password: ', echo: false }], (a) =>
        a[0] === 'pw' ? ctx.prompt([{ prompt: 'Verification code: ', echo: false }], () => ctx.accept()) : ctx.reject(),
      );
    },
    tcpip: connectTcpip,
  });
  const dispatch = (c: string, i: unknown) => dispatchOk(world, c, i);
  await dispatch('host.add', { host: sshdHostInput(sshd, 'mail') });
  writeFileSync(join(world.dir, 'empty_known_hosts'), '');
  await dispatch('host.add', { host: sshdHostInput(sshd, 'fresh', { knownHostsFile: join(world.dir, 'empty_known_hosts'), strictHostKeyChecking: 'ask' }) });
  await dispatch('host.add', {
    host: {
      name: 'vault',
      hostname: '127.0.0.1',
      port: twoFactor.port,
      user: 'alice',
      auth: { method: 'keyboard-interactive' },
      knownHostsFile: twoFactor.knownHosts,
    },
  });
  // A host whose key changed: its known_hosts remembers another key.
  const impostor = readFileSync(`${keygen(join(world.dir, 'impostor_ed25519'))}.pub`, 'utf8')
    .split(' ')
    .slice(0, 2)
    .join(' ');
  writeFileSync(join(world.dir, 'moved_known_hosts'), `[127.0.0.1]:${sshd.port} ${impostor}\n`);
  await dispatch('host.add', { host: sshdHostInput(sshd, 'legacy', { knownHostsFile: join(world.dir, 'moved_known_hosts') }) });
  await dispatch('forward.add', { forward: await localForwardInput('pop3-mail', 'mail', echo.port, { group: 'mail' }), start: true });
  await dispatch('forward.add', { forward: { name: 'socks-office', kind: 'dynamic', listen: { host: '127.0.0.1', port: await freePort() }, host: 'mail' } });
  await dispatch('forward.add', {
    forward: { name: 'webhook-dev', kind: 'remote', listen: { host: 'localhost', port: 0 }, target: { host: '127.0.0.1', port: 3000 }, host: 'mail' },
  });
  await dispatch('forward.add', { forward: await localForwardInput('fresh-echo', 'fresh', echo.port) });
  await dispatch('forward.add', { forward: await localForwardInput('vault-echo', 'vault', echo.port) });
}, 120_000);

afterAll(() => closeAll(world, twoFactor, echo, sshd));

/** Colour maths of WCAG 2.2 (relative luminance, contrast ratio), run in the page on computed colours. */
const CONTRAST_LIB = `
  window.__rgb = (c) => { const m = c.match(/[\\d.]+/g).map(Number); return { r: m[0], g: m[1], b: m[2], a: m[3] ?? 1 }; };
  window.__lum = ({ r, g, b }) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }; return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  window.__ratio = (a, b) => { const [x, y] = [window.__lum(window.__rgb(a)), window.__lum(window.__rgb(b))].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  /** The first opaque background behind an element. */
  window.__bg = (el) => { for (let e = el; e; e = e.parentElement) { const c = getComputedStyle(e).backgroundColor; if (window.__rgb(c).a === 1) return c; } return 'rgb(255, 255, 255)'; };
`;

/** The contrast figures axe cannot see, measured in the page as it is now. */
async function nonTextContrast(page: Page): Promise<Record<string, number>> {
  await page.evaluate(CONTRAST_LIB);
  const out: Record<string, number> = {};
  const ratio = (expr: string) => page.evaluate(expr) as Promise<number>;
  // The kind badges: 11 px bold text on their colour.
  for (const kind of ['local', 'remote', 'dynamic']) {
    out[`badge ${kind}`] = await ratio(
      `(() => { const e = document.querySelector('.kind-${kind}'); const s = getComputedStyle(e); return window.__ratio(s.color, s.backgroundColor); })()`,
    );
  }
  // Switches: the track against the row behind it, the knob against the track, off and on.
  for (const [name, on] of [
    ['socks-office', 'off'],
    ['pop3-mail', 'on'],
  ]) {
    const sw = `document.querySelector('li[data-forward="${name}"] .switch')`;
    out[`switch ${on}: track`] = await ratio(`window.__ratio(getComputedStyle(${sw}).backgroundColor, window.__bg(${sw}.parentElement))`);
    out[`switch ${on}: knob`] = await ratio(
      `window.__ratio(getComputedStyle(${sw}.querySelector('.switch-knob')).backgroundColor, getComputedStyle(${sw}).backgroundColor)`,
    );
  }
  // Input borders against the surface.
  out['input border'] = await ratio(
    `(() => { const e = document.querySelector('input[type=search]'); return window.__ratio(getComputedStyle(e).borderTopColor, window.__bg(e.parentElement)); })()`,
  );
  // The focus ring (an outline) against what is around the focused control: the selected row, a primary button's surroundings, an input.
  for (const [what, selector] of [
    ['focus: selected row', 'li.row.selected'],
    ['focus: primary button', 'button.primary'],
    ['focus: search field', 'input[type=search]'],
    ['focus: switch', 'li.row.selected .switch'],
  ]) {
    // Focused by the keyboard (Shift+Tab, Tab back), so that :focus-visible applies as for a person.
    await page.locator(selector).first().focus();
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab');
    out[what] = await ratio(
      `(() => { const e = document.activeElement; const s = getComputedStyle(e); if (s.outlineStyle === 'none' || parseFloat(s.outlineWidth) < 2) return 0; return window.__ratio(s.outlineColor, window.__bg(${what === 'focus: selected row' ? 'e' : 'e.parentElement'})); })()`,
    );
  }
  return out;
}

async function expectNoViolations(page: Page, where: string) {
  expect({ where, violations: await axeViolations(page) }).toEqual({ where, violations: [] });
}

/** Opens, checks and closes (Escape) one dialog at a time. */
async function checkDialog(page: Page, name: string, open: () => Promise<unknown>) {
  await open();
  await dialogNamed(page, name).waitFor();
  await expectNoViolations(page, `dialog ${name}`);
  while ((await page.locator('dialog[open]').count()) > 0) await page.keyboard.press('Escape');
}

const toolbarButton = (page: Page, name: string) => page.getByRole('banner').getByRole('button', { name, exact: true }).click();

describe('accessibility (axe-core) and contrast', () => {
  for (const scheme of ['light', 'dark'] as const) {
    it(`${scheme}: the main view, every dialog and every prompt have 0 axe violations; focus rings, switches, borders and badges meet WCAG 2.2 AA`, async () => {
      const { page, context } = await openApp(world, { colorScheme: scheme });
      try {
        await waitForText(rowState(page, 'pop3-mail'), ACTIVE);
        await row(page, 'pop3-mail').click();
        await detailsPane(page, 'pop3-mail').waitFor();
        const figures = await nonTextContrast(page);
        const low = Object.entries(figures).filter(([what, r]) => r < (what.startsWith('badge') ? 4.5 : 3));
        expect(low.map(([w, r]) => `${w}: ${r.toFixed(2)}:1`)).toEqual([]);

        await expectNoViolations(page, 'main view with details');
        await page.keyboard.press('Escape');
        await eventually('the details pane closed', async () => (await detailsPane(page, 'pop3-mail').count()) === 0);
        await expectNoViolations(page, 'main view');

        await checkDialog(page, 'Add forward', () => openForwardForm(page));
        await checkDialog(page, 'SSH hosts', () => openHostsDialog(page));
        await checkDialog(page, 'Add host', async () => (await openHostsDialog(page)).getByRole('button', { name: 'Add host' }).click());
        await checkDialog(page, 'Edit host mail', async () => (await openHostsDialog(page)).getByRole('button', { name: 'Edit host mail' }).click());
        await checkDialog(page, 'Remove host mail?', async () => (await openHostsDialog(page)).getByRole('button', { name: 'Remove host mail' }).click());
        await checkDialog(page, 'Start from a preset', () => toolbarButton(page, 'Presets'));
        await checkDialog(page, 'Import', () => toolbarButton(page, 'Import'));
        await checkDialog(page, 'Export', () => toolbarButton(page, 'Export'));
        await checkDialog(page, 'Settings', () => toolbarButton(page, 'Settings'));
        await row(page, 'pop3-mail').click();
        await checkDialog(page, 'Edit forward pop3-mail', () => detailsPane(page, 'pop3-mail').getByRole('button', { name: 'Edit', exact: true }).click());
        await checkDialog(page, 'Remove pop3-mail?', () => detailsPane(page, 'pop3-mail').getByRole('button', { name: 'Remove', exact: true }).click());

        // The prompts: an unknown host key, a password and a one-time code; then the changed host key warning.
        await page.getByRole('switch', { name: 'fresh-echo', exact: true }).click();
        const hostKey = page.getByRole('alertdialog', { name: 'Unknown host key' });
        await hostKey.waitFor();
        await expectNoViolations(page, 'prompt: unknown host key');
        await hostKey.getByRole('button', { name: 'Trust once' }).click();
        await waitForText(rowState(page, 'fresh-echo'), ACTIVE);
        await page.getByRole('switch', { name: 'fresh-echo', exact: true }).click();
        await waitForText(rowState(page, 'fresh-echo'), /^Stopped$/);

        await page.getByRole('switch', { name: 'vault-echo', exact: true }).click();
        const password = dialogNamed(page, 'Password needed');
        await password.waitFor();
        await expectNoViolations(page, 'prompt: password');
        await password.getByLabel('Password', { exact: true }).fill('pw');
        await page.keyboard.press('Enter');
        await dialogNamed(page, 'One-time code needed').waitFor();
        await expectNoViolations(page, 'prompt: one-time code');
        await page.keyboard.press('Enter');
        await waitForText(rowState(page, 'vault-echo'), ACTIVE);
        await page.getByRole('switch', { name: 'vault-echo', exact: true }).click();
        await waitForText(rowState(page, 'vault-echo'), /^Stopped$/);

        // The changed host key warning (its forward removed afterwards: a failed one brings the warning back on load).
        await dispatchOk(world, 'forward.add', { forward: await localForwardInput('legacy-echo', 'legacy', echo.port) });
        await page.getByRole('switch', { name: 'legacy-echo', exact: true }).click();
        const alarm = page.getByRole('alertdialog', { name: /^Warning: the host key of .* has changed$/ });
        await alarm.waitFor();
        await expectNoViolations(page, 'changed host key warning');
        await alarm.getByRole('button', { name: 'Close', exact: true }).last().click();
        await alarm.waitFor({ state: 'detached' });
        await dispatchOk(world, 'forward.remove', { name: 'legacy-echo' });
      } finally {
        await context.close();
      }
    }, 180_000);
  }
});
