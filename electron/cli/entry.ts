// The `burrow` command's first module (out/cli/burrow.mjs): the signal handlers
// go in before anything else is loaded, then the command table (main.ts), whose
// subcommands load only when they run.
import * as nodeModule from 'node:module';
import { installSignalHandlers } from './signals';

const signals = installSignalHandlers();
// Node 22.1+ (the installed app's Electron) keeps compiled code between runs; Node 20 has no such cache.
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();
const { main } = await import('./main');
const { processIO } = await import('./io');
process.exitCode = await main(process.argv.slice(2), processIO(signals));
signals.finished();
