#!/usr/bin/env node
// The `burrow` command: the compiled bundle in out/cli/ (built by `npm install`
// through the prepare script, or `npm run build:cli`).
try {
  await import('../out/cli/burrow.mjs');
} catch (e) {
  if (e?.code !== 'ERR_MODULE_NOT_FOUND' || !String(e.message).includes('out/cli/burrow.mjs')) throw e;
  process.stderr.write(
    "burrow: the command is not built yet (out/cli/burrow.mjs is missing). Run 'npm install' (or 'npm run build:cli') in the Burrow folder.\n",
  );
  process.exitCode = 1;
}
