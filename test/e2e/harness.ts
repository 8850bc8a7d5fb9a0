// The browser tests' world: the real services (profile repository in a temp
// BURROW_CONFIG_DIR, the tunnel engine, the prompt broker) behind `burrow web`'s
// server, a real sshd, and Chromium driven by playwright-core.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startWebServer, type WebServer } from '../../electron/web/server';
import { createWebServices, type WebServices } from '../../electron/web/services';
import { RENDERER_OUT, buildRenderer, rendererBuilt } from '../../electron/web/static-files';

export const CHROMIUM = process.env.BURROW_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let building: Promise<void> | null = null;
/** Builds out/renderer once per process when it is missing (CI runs no separate build). */
export function ensureRenderer(): Promise<void> {
  if (rendererBuilt()) return Promise.resolve();
  building ??= buildRenderer({ quiet: true });
  return building;
}

export interface World {
  dir: string;
  services: WebServices;
  server: WebServer;
  browser: Browser;
  close(): Promise<void>;
}

export async function startWorld(opts: { sshConfigPath?: string } = {}): Promise<World> {
  await ensureRenderer();
  const dir = mkdtempSync(join(tmpdir(), 'burrow-e2e-'));
  const services = await createWebServices({ configDir: join(dir, 'config'), sshConfigPath: opts.sshConfigPath, statsIntervalMs: 500 });
  const server = await startWebServer({ dispatcher: services.dispatcher, hub: services.events, viewers: services.viewers, rootDir: RENDERER_OUT });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  return {
    dir,
    services,
    server,
    browser,
    async close() {
      await browser.close().catch(() => undefined);
      await server.close();
      await services.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A page that opened the printed URL (token -> cookie) and shows the forwards list. */
export async function openApp(world: World, opts: { colorScheme?: 'light' | 'dark'; viewport?: { width: number; height: number } } = {}): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await world.browser.newContext({ colorScheme: opts.colorScheme ?? 'light', viewport: opts.viewport ?? { width: 1280, height: 800 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: `http://127.0.0.1:${world.server.port}` });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(world.server.url);
  await page.getByRole('button', { name: 'Add forward', exact: true }).waitFor();
  return { context, page, errors };
}
