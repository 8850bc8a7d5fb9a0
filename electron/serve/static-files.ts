// The built renderer (out/renderer): where it is, whether it is built, and
// how to build it when it is not.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const PROJECT_ROOT = resolve(import.meta.dirname, '..', '..');
export const RENDERER_OUT = join(PROJECT_ROOT, 'out', 'renderer');
export const RENDERER_CONFIG = join(PROJECT_ROOT, 'renderer', 'vite.config.ts');
export const BUILD_HINT = 'npm run build:renderer';

export const rendererBuilt = (dir = RENDERER_OUT): boolean => existsSync(join(dir, 'index.html'));

/** Builds the renderer with Vite (a development dependency); throws saying what to run when Vite is missing. */
export async function buildRenderer(opts: { quiet?: boolean } = {}): Promise<void> {
  let vite: typeof import('vite');
  try {
    vite = await import('vite');
  } catch {
    throw new Error(`The renderer is not built and Vite is not installed here. Run 'npm install' and '${BUILD_HINT}' in ${PROJECT_ROOT}.`);
  }
  await vite.build({ configFile: RENDERER_CONFIG, logLevel: opts.quiet ? 'warn' : 'info' });
  if (!rendererBuilt()) throw new Error(`Building the renderer did not produce ${join(RENDERER_OUT, 'index.html')}; run '${BUILD_HINT}' and read its output.`);
}
