// Launches the built app with Playwright's _electron where the Electron binary is
// installed: sees the window, the preload's one API object and the tray. Where
// no binary can be downloaded it is reported as skipped, with the reason (CI
// accepts this one skip by name: .ci/summary.mjs). The main process itself runs
// in every run under a recording fake of Electron (app-main.test.ts).
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { apiKeys } from '../../../shared/burrow-api';

const root = path.resolve(import.meta.dirname, '../../..');
const require = createRequire(import.meta.url);

function electronBinary(): { path?: string; why?: string } {
  try {
    const p = require('electron') as unknown as string;
    if (typeof p === 'string' && existsSync(p)) return { path: p };
    return { why: `Electron binary not installed (${p} is missing); smoke test not run` };
  } catch (e) {
    return { why: `Electron binary not installed (${(e as Error).message}); smoke test not run` };
  }
}

describe('Electron smoke test', () => {
  const bin = electronBinary();

  if (!bin.path) console.log(bin.why);
  it.skipIf(!bin.path)(
    'launches the built app: window, preload API, tray',
    async () => {
      if (!bin.path) return;
      if (!existsSync(path.join(root, 'out/main/main.js'))) execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });
      const { _electron } = await import('playwright-core');
      const dir = mkdtempSync(path.join(tmpdir(), 'burrow-smoke-'));
      const app = await _electron.launch({
        executablePath: bin.path,
        args: [root, '--no-sandbox'],
        env: { ...process.env, BURROW_CONFIG_DIR: dir, BURROW_E2E: '1' } as Record<string, string>,
      });
      try {
        const page = await app.firstWindow();
        await page.waitForLoadState('domcontentloaded');
        expect(await page.title()).toBe('Burrow');
        expect(page.url()).toBe('burrow://app/index.html');
        // One method per contract channel, on() and desktop: nothing else (no generic invoke, no ipcRenderer).
        expect(await page.evaluate(() => Object.keys((globalThis as unknown as { burrow: object }).burrow).sort())).toEqual(apiKeys(true).sort());
        expect(await page.evaluate(() => typeof (globalThis as unknown as { require?: unknown }).require)).toBe('undefined');
        const state = await page.evaluate(() => (globalThis as unknown as { burrow: { stateGet(): Promise<unknown> } }).burrow.stateGet());
        expect(state).toMatchObject({ ok: true, value: { forwards: [], hosts: [] } });
        const tray = await app.evaluate(() => (globalThis as unknown as { __burrowTray: () => { menu: { label?: string }[]; icon: string } }).__burrowTray());
        expect(tray.icon).toBe('off');
        expect(tray.menu.map((i) => i.label).filter(Boolean)).toEqual(expect.arrayContaining(['Open Burrow', 'Quit Burrow']));
      } finally {
        await app.close().catch(() => undefined);
        rmSync(dir, { recursive: true, force: true });
      }
    },
    60_000,
  );
});
