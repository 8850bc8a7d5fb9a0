// electron-vite: main (electron/app/main.ts), preload (electron/app/preload.ts) and
// the renderer (renderer/index.html). Builds without the Electron binary.
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

const root = import.meta.dirname;
// BURROW_BUILD_OUT: another output folder (inside the repo, so that the bundle still finds node_modules),
// for the test that runs the built main process without racing the browser tests over out/renderer.
const out = resolve(root, process.env.BURROW_BUILD_OUT ?? 'out');

export default defineConfig({
  main: {
    build: {
      outDir: resolve(out, 'main'),
      rollupOptions: {
        input: { main: resolve(root, 'electron/app/main.ts') },
        // ssh2 loads its optional native binding and cpu-features at run time: never bundle them.
        external: ['electron', 'ssh2', 'cpu-features'],
      },
    },
  },
  preload: {
    build: {
      outDir: resolve(out, 'preload'),
      // A sandboxed preload cannot require node_modules: bundle everything, as CommonJS.
      externalizeDeps: false,
      rollupOptions: {
        input: { preload: resolve(root, 'electron/app/preload.ts') },
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'renderer'),
    plugins: [react()],
    build: {
      outDir: resolve(out, 'renderer'),
      rollupOptions: { input: { index: resolve(root, 'renderer/index.html') } },
    },
  },
});
