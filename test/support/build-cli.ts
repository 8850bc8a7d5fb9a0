// vitest globalSetup: builds the `burrow` command (out/cli) from the current
// sources before any test runs, so that tests spawning bin/burrow.mjs never
// run a stale bundle. The code caches are made by the first run of each command.
import { buildCli } from '../../bin/build-cli.mjs';

export default async function setup(): Promise<void> {
  await buildCli({ quiet: true });
}
