// The browser tests' world: the real services (profile repository in a temp
// BURROW_CONFIG_DIR, the tunnel engine, the prompt broker) behind `burrow web`'s
// server, a real sshd, and Chromium driven by playwright-core.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import ts from 'typescript';
import { CHANNELS, EVENTS } from '../../shared/contract';
import { startWebServer, type WebServer } from '../../electron/web/server';
import { withFileLock } from '../../electron/profiles/file-lock';
import type { SecretStore } from '../../electron/profiles/secrets';
import { createWebServices, type WebServices } from '../../electron/web/services';
import { PROJECT_ROOT, RENDERER_OUT, buildRenderer, rendererBuilt } from '../../electron/serve/static-files';

import { cleanup, freePort, type Sshd } from '../support/sshd';

export const CHROMIUM = process.env.BURROW_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** The newest modification time of the files the renderer is built from. */
function newestSource(): number {
  let newest = 0;
  const walk = (p: string) => {
    const st = statSync(p);
    if (st.isDirectory()) for (const e of readdirSync(p)) walk(join(p, e));
    else newest = Math.max(newest, st.mtimeMs);
  };
  for (const p of ['renderer/src', 'renderer/public', 'renderer/index.html', 'renderer/vite.config.ts', 'shared']) walk(join(PROJECT_ROOT, p));
  return newest;
}

const upToDate = () => rendererBuilt() && statSync(join(RENDERER_OUT, 'index.html')).mtimeMs >= newestSource();

let building: Promise<void> | null = null;
/**
 * Builds out/renderer once per process when it is missing or older than its
 * sources (CI runs no separate build; a stale build would test old code). Test
 * files run in parallel processes: a lock file lets one build while the others wait.
 */
export function ensureRenderer(): Promise<void> {
  if (upToDate()) return Promise.resolve();
  building ??= (async () => {
    const out = dirname(RENDERER_OUT);
    mkdirSync(out, { recursive: true });
    // The profile lock's mechanism: a holder that died is taken over at once.
    await withFileLock(
      join(out, '.renderer-build'),
      async () => {
        if (!upToDate()) await buildRenderer({ quiet: true });
      },
      { staleMs: 120_000, timeoutMs: 120_000 },
    );
  })();
  return building;
}

export interface World {
  dir: string;
  services: WebServices;
  server: WebServer;
  browser: Browser;
  close(): Promise<void>;
}

export interface WorldOptions {
  sshConfigPath?: string;
  /** The home folder whose ~/.ssh the key file picker lists (the services' env HOME). */
  homeDir?: string;
  /** Default: in memory, as `burrow web` keeps secrets. */
  secrets?: SecretStore;
}

export async function startWorld(opts: WorldOptions = {}): Promise<World> {
  await ensureRenderer();
  const dir = mkdtempSync(join(tmpdir(), 'burrow-e2e-'));
  const services = await createWebServices({
    configDir: join(dir, 'config'),
    sshConfigPath: opts.sshConfigPath,
    statsIntervalMs: 500,
    secrets: opts.secrets,
    env: opts.homeDir ? { ...process.env, HOME: opts.homeDir } : undefined,
  });
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

/** What the desktop app's preload adds (shared/contract.ts DesktopApi), answered by the test. */
export interface FakeDesktop {
  chooseKeyFile(): string | null | Promise<string | null>;
}

/**
 * The page side of the fake preload: the very function electron/app/preload.ts
 * builds window.burrow with (shared/burrow-api.ts, type-only imports, so it
 * runs in the page as transpiled), over a Playwright binding instead of IPC.
 * A string, not a function: a transpiler's helpers (tsx's __name) must not end up in the page.
 */
function fakePreload(): string {
  const source = readFileSync(join(PROJECT_ROOT, 'shared', 'burrow-api.ts'), 'utf8');
  const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
  return `(() => {
  const exports = {};
  (function (exports) { ${js}\n})(exports);
  const listeners = new Map();
  globalThis.__burrowEmit = (event, payload) => listeners.get(event)?.forEach((cb) => cb(payload));
  globalThis.burrow = exports.buildBurrowApi({
    channels: ${JSON.stringify(CHANNELS)},
    events: ${JSON.stringify(EVENTS)},
    transport: {
      invoke: (channel, input) => globalThis.__burrowInvoke(channel, input),
      on(event, cb) {
        if (!listeners.has(event)) listeners.set(event, new Set());
        listeners.get(event).add(cb);
        return () => void listeners.get(event).delete(cb);
      },
    },
    desktop: { chooseKeyFile: () => globalThis.__burrowChooseKeyFile() },
  });
})();`;
}

/**
 * Makes the page see a preload object, as in the Electron window: window.burrow
 * with invoke (the same dispatcher, called through a Playwright binding), on
 * (the same events, pushed into the page) and `desktop` answered by the test.
 * The renderer then uses it instead of the WebSocket.
 */
async function installPreload(world: World, context: BrowserContext, desktop: FakeDesktop): Promise<() => void> {
  await context.exposeBinding('__burrowInvoke', (_source, channel: unknown, input: unknown) => world.services.dispatcher.dispatch(channel, input));
  await context.exposeBinding('__burrowChooseKeyFile', () => desktop.chooseKeyFile());
  await context.addInitScript({ content: fakePreload() });
  return world.services.events.subscribe((event, payload) => {
    for (const p of context.pages()) {
      p.evaluate(`globalThis.__burrowEmit(${JSON.stringify(event)}, ${JSON.stringify(payload)})`).catch(() => undefined);
    }
  });
}

const errorsOf = new WeakMap<Page, string[]>();

/** The errors a page of openApp's has logged so far (uncaught ones and console.error). */
export function consoleErrors(page: Page): string[] {
  const errors = errorsOf.get(page);
  if (!errors) throw new Error('consoleErrors: not a page of openApp');
  return errors;
}

/** A page that opened the printed URL (its #token= kept in the tab) and shows the forwards list. With `desktop`, it gets a preload object as in the Electron window. */
export async function openApp(
  world: World,
  opts: { colorScheme?: 'light' | 'dark'; viewport?: { width: number; height: number }; desktop?: FakeDesktop } = {},
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await world.browser.newContext({ colorScheme: opts.colorScheme ?? 'light', viewport: opts.viewport ?? { width: 1280, height: 800 } });
  if (opts.desktop) {
    const unsubscribe = await installPreload(world, context, opts.desktop);
    context.on('close', unsubscribe);
  }
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: `http://127.0.0.1:${world.server.port}` });
  const page = await context.newPage();
  const errors: string[] = [];
  errorsOf.set(page, errors);
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(world.server.url);
  await appShown(page);
  return { context, page, errors };
}

/** Waits until the page shows the forwards list (its "Add forward" button). */
const appShown = (page: Page) => page.getByRole('button', { name: 'Add forward', exact: true }).waitFor();

/**
 * For afterEach: a test that fails with a dialog open would fail every test
 * after it, so a page left with a dialog open is reloaded to start clean.
 */
export async function reloadIfDialogOpen(page: Page | undefined): Promise<void> {
  if (page && (await page.locator('dialog[open]').count()) > 0) {
    await page.reload();
    await appShown(page);
  }
}

/**
 * For afterAll: closes what a test file started, one after the other in the
 * order given (the page's browser context, the world, other servers, then sshd,
 * which is stopped and its folder removed). A part that never started is skipped.
 */
export async function closeAll(...parts: ({ close(): unknown } | Sshd | undefined)[]): Promise<void> {
  for (const part of parts) {
    if (!part) continue;
    if ('close' in part) await part.close();
    else await cleanup(part);
  }
}

/** Calls the dispatcher directly, for test set-up; a failure throws with its message. */
export async function dispatchOk(world: World, channel: string, input: unknown): Promise<unknown> {
  const r = await world.services.dispatcher.dispatch(channel, input);
  if (!r.ok) throw new Error(`${channel}: ${r.message}`);
  return r.value;
}

export { sshdHostInput } from '../support/hosts';

/** A local forward (the contract's input) from a free port here to 127.0.0.1:destinationPort through a saved host. */
export async function localForwardInput(name: string, host: string, destinationPort: number, over: Record<string, unknown> = {}) {
  return { name, kind: 'local', listen: { host: '127.0.0.1', port: await freePort() }, target: { host: '127.0.0.1', port: destinationPort }, host, ...over };
}
