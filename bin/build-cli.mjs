#!/usr/bin/env node
// Builds the `burrow` command into out/cli/ with esbuild: compiled JavaScript,
// one small entry (signal handlers first) and one chunk per subcommand, loaded
// only when that command runs. `npm install` runs it (the prepare script); the
// tests run it again before they start (test/support/build-cli.ts), so that
// bin/burrow.mjs never runs stale code.
import { build } from 'esbuild';
import { renameSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
export const CLI_OUT = `${root}out/cli`;

/**
 * Builds into a fresh folder, then swaps it in: a `burrow` starting meanwhile
 * sees the old build or the new one. With write: false nothing is written (the
 * result's metafile says what each output file holds and imports).
 */
export async function buildCli({ quiet = false, write = true } = {}) {
  const fresh = `${CLI_OUT}.new-${process.pid}`;
  if (write) rmSync(fresh, { recursive: true, force: true });
  const result = await build({
    write,
    absWorkingDir: root,
    entryPoints: { burrow: 'electron/cli/entry.ts' },
    outdir: fresh,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    // Node 20 (the `burrow` command) and Electron's newer Node (the app's launcher).
    target: 'node20',
    // ssh2 loads its optional native binding and cpu-features at run time; ws tries
    // its optional native helpers; `burrow web` imports Vite (a development
    // dependency) only to build a missing renderer: all resolved where installed.
    external: ['ssh2', 'cpu-features', 'bufferutil', 'utf-8-validate', 'vite', 'electron'],
    // The bundled CommonJS dependencies call require() for Node's own modules.
    banner: { js: "import { createRequire as __burrowRequire } from 'node:module'; const require = __burrowRequire(import.meta.url);" },
    sourcemap: 'linked',
    logLevel: quiet ? 'error' : 'warning',
    metafile: true,
    // Less to parse at every start; stack traces map back through the .map files (node --enable-source-maps).
    minify: true,
  });
  if (!write) return result;
  const old = `${CLI_OUT}.old-${process.pid}`;
  try {
    renameSync(CLI_OUT, old);
  } catch {
    // Not built before.
  }
  renameSync(fresh, CLI_OUT);
  rmSync(old, { recursive: true, force: true });
  return result;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildCli();
}
