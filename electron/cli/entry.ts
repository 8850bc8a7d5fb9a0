// The `burrow` command's first module (out/cli/burrow.mjs): the signal handlers
// go in before anything else is loaded, then the command table (main.ts), whose
// subcommands load only when they run.
import { installSignalHandlers } from './signals';

const signals = installSignalHandlers();
const { main } = await import('./main');
const { processIO } = await import('./io');
process.exitCode = await main(process.argv.slice(2), processIO(signals));
signals.finished();
