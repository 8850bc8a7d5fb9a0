#!/usr/bin/env node
// Builds the `burrow` command into out/cli/ with esbuild: compiled JavaScript.
// - burrow.mjs: the entry (signal handlers first) and the command table;
// - one CommonJS bundle per subcommand (connect, up, ls, profile-commands, web),
//   loaded only when that command runs, through V8's code cache
//   (electron/cli/bundle-loader.ts), which each command's first run makes.
// `npm install` runs it (the prepare script); the tests run it again before they
// start (test/support/build-cli.ts), so that bin/burrow.mjs never runs stale code.
import { build } from 'esbuild';
import { renameSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
export const CLI_OUT = `${root}out/cli`;

/** The subcommands' bundles: name (out/cli/<name>.cjs, as main.ts's lazy() names them) -> source. */
const COMMANDS = {
  connect: 'electron/cli/connect.ts',
  up: 'electron/cli/up.ts',
  ls: 'electron/cli/ls.ts',
  'profile-commands': 'electron/cli/profile-commands.ts',
  web: 'electron/cli/web.ts',
};

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  // Node 20 (the `burrow` command) and Electron's newer Node (the app's launcher).
  target: 'node20',
  // ssh2's JavaScript is bundled (compiled through the code cache, like ours: loading
  // it from node_modules was a third of `burrow connect`'s start); its optional native
  // parts load at run time (sshNativeParts). ws tries its optional native helpers;
  // `burrow web` imports Vite (a development dependency) only to build a missing
  // renderer: all resolved where installed.
  external: ['cpu-features', 'bufferutil', 'utf-8-validate', 'vite', 'electron'],
  sourcemap: 'linked',
  metafile: true,
  // Less to parse at every start; stack traces map back through the .map files (node --enable-source-maps).
  minify: true,
};

/** main.ts imports the sources of each subcommand only when run from them (tests); here they are loaded as bundles. */
const commandsStayOut = {
  name: 'commands-stay-out',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\//, namespace: 'file' }, (args) =>
      args.kind === 'dynamic-import' && args.importer.endsWith('electron/cli/main.ts') ? { path: args.path, external: true } : undefined,
    );
  },
};

/**
 * ssh2's files that must stay where npm installed them: the native AES-GCM binding
 * (built by `npm ci`, absent where no compiler was) and the Poly1305 module, which
 * finds its WebAssembly beside itself. Required by package path, so that they
 * resolve from out/cli wherever the package is installed.
 */
const sshNativeParts = {
  name: 'ssh2-native-parts',
  setup(b) {
    b.onResolve({ filter: /^\.\/crypto\/(build\/Release\/sshcrypto\.node|poly1305\.js)$/ }, (args) =>
      args.resolveDir.endsWith('node_modules/ssh2/lib/protocol') ? { path: `ssh2/lib/protocol/${args.path.slice(2)}`, external: true } : undefined,
    );
  },
};

/**
 * Builds into a fresh folder, then swaps it in: a `burrow` starting meanwhile
 * sees the old build or the new one. With write: false nothing is written (the
 * result's metafile says what each output file holds and imports).
 */
export async function buildCli({ quiet = false, write = true } = {}) {
  const fresh = `${CLI_OUT}.new-${process.pid}`;
  if (write) rmSync(fresh, { recursive: true, force: true });
  const logLevel = quiet ? 'error' : 'warning';
  const entry = await build({
    ...common,
    write,
    logLevel,
    entryPoints: { burrow: 'electron/cli/entry.ts' },
    outdir: fresh,
    outExtension: { '.js': '.mjs' },
    format: 'esm',
    define: { BURROW_BUNDLE: 'true' },
    plugins: [commandsStayOut],
  });
  const commands = await build({
    ...common,
    write,
    logLevel,
    entryPoints: COMMANDS,
    outdir: fresh,
    outExtension: { '.js': '.cjs' },
    format: 'cjs',
    plugins: [sshNativeParts],
    // What the ES module sources read from import.meta, in CommonJS.
    define: { 'import.meta.url': '__burrowFileUrl', 'import.meta.dirname': '__dirname' },
    banner: { js: "const __burrowFileUrl = require('node:url').pathToFileURL(__filename).href;" },
  });
  const metafile = { inputs: { ...entry.metafile.inputs, ...commands.metafile.inputs }, outputs: { ...entry.metafile.outputs, ...commands.metafile.outputs } };
  if (!write) return { metafile };
  const old = `${CLI_OUT}.old-${process.pid}`;
  try {
    renameSync(CLI_OUT, old);
  } catch {
    // Not built before.
  }
  renameSync(fresh, CLI_OUT);
  rmSync(old, { recursive: true, force: true });
  return { metafile };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildCli();
}
