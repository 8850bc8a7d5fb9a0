// How the built `burrow` command (out/cli) loads a subcommand: its CommonJS
// bundle compiled with V8's code cache, kept beside it (<name>.cjs.v8cache).
// Compiling the profile commands' bundle (zod, conf) is most of `burrow ls`'s
// start; from the cache it is about half. Node 20 keeps no cache for ES modules
// (module.enableCompileCache is Node 22), hence CommonJS and vm.Script here.
// A cache V8 rejects (another Node version, another build) is ignored and
// written anew; where the folder is read-only (the app's asar) none is kept.
// Made from a real run, the cache of `burrow connect` also holds ssh2's login
// code (bundled with it): its first byte came about 15 ms sooner than with a
// cache of the top level alone (docs/benchmarks.md).
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

/** When a run without a usable cache makes one, unless it exits first. */
const CACHE_AFTER_MS = 2000;

/** The exports of out/cli/<name>.cjs. */
export function loadBundle(name: string): unknown {
  const file = join(dirname(fileURLToPath(import.meta.url)), `${name}.cjs`);
  const cacheFile = `${file}.v8cache`;
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    // Not made yet.
  }
  const script = new vm.Script(Module.wrap(readFileSync(file, 'utf8')), {
    filename: file,
    cachedData,
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const module = { exports: {} as unknown };
  (script.runInThisContext() as (...args: unknown[]) => void)(module.exports, createRequire(file), module, file, dirname(file));
  if (!cachedData || script.cachedDataRejected) {
    // Made once the command has run a while, or at its exit if it succeeded, so that it holds the
    // functions the command compiled on its way (a login's), not only the bundle's top level; a run
    // that failed early (a typo) would leave a cache without them, which later runs would keep.
    const timer = setTimeout(() => {
      process.off('exit', atExit);
      save();
    }, CACHE_AFTER_MS).unref();
    const atExit = (code: number) => {
      if (code === 0) save();
    };
    const save = () => {
      clearTimeout(timer);
      try {
        const fresh = `${cacheFile}.${process.pid}`;
        writeFileSync(fresh, script.createCachedData());
        renameSync(fresh, cacheFile);
      } catch {
        // A read-only install: compiled each time.
      }
    };
    process.once('exit', atExit);
  }
  return module.exports;
}
