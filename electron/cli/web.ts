// `burrow web [--port N]`: the desktop UI in a browser, for development, tests
// and headless machines (reach it through an SSH forward).
import { BurrowError } from '../../shared/errors';
import { parseArgs, values, has } from './args';
import type { CliIO } from './io';
import { startWebServer } from '../web/server';
import { createWebServices } from '../web/services';
import { BUILD_HINT, RENDERER_OUT, buildRenderer, rendererBuilt } from '../serve/static-files';

export const WEB_HELP = `Usage: burrow web [--port N] [--no-build]

Serves Burrow's window in a browser: the same screens and the same engine as
the desktop app, on http://127.0.0.1 only. Prints a URL with a random access
token after '#' (the browser never sends that part to any server); the page
keeps it in its tab and shows nothing and does nothing without it. The server
accepts only its own Host and Origin, so other web pages, on this machine's
other ports too, cannot drive it. Saved profiles are the app's
(BURROW_CONFIG_DIR wins).
Passwords typed here are kept in memory until the command stops.
  --port N     Listen on port N (default: a free port)
  --no-build   Fail instead of building the renderer when it is not built
Stop with Ctrl-C: every forward it started stops too.
`;

export async function web(argv: string[], io: CliIO): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout.write(WEB_HELP);
    return 0;
  }
  let port = 0;
  let build = true;
  try {
    const p = parseArgs(argv, { withValue: '', boolean: '', long: ['no-build'], longWithValue: ['port'] }, 'web');
    if (p.positional.length) throw new BurrowError('USAGE', `Unexpected argument '${p.positional[0]}'. See 'burrow web --help'.`);
    const given = values(p, '--port').at(-1);
    if (given !== undefined) {
      if (!/^\d+$/.test(given) || Number(given) < 1 || Number(given) > 65535)
        throw new BurrowError('USAGE', `--port must be a number between 1 and 65535 (got ${given}).`);
      port = Number(given);
    }
    build = !has(p, '--no-build');
  } catch (e) {
    io.stderr.write(`burrow web: ${(e as Error).message}\n`);
    return 2;
  }

  if (!rendererBuilt()) {
    if (!build) {
      io.stderr.write(`burrow web: the renderer is not built (${RENDERER_OUT}); run '${BUILD_HINT}' first.\n`);
      return 1;
    }
    io.stderr.write(`burrow web: the renderer is not built yet; building it ('${BUILD_HINT}')...\n`);
    try {
      await buildRenderer({ quiet: true });
    } catch (e) {
      io.stderr.write(`burrow web: ${(e as Error).message}\n`);
      return 1;
    }
  }

  const services = await createWebServices({
    env: io.env,
    onInternalError: (channel, err) => io.stderr.write(`burrow web: internal error in ${channel}: ${(err as Error)?.stack ?? String(err)}\n`),
  });
  for (const w of services.repo.warnings) io.stderr.write(`burrow web: warning: ${w.message}\n`);
  let server;
  try {
    server = await startWebServer({ dispatcher: services.dispatcher, hub: services.events, viewers: services.viewers, rootDir: RENDERER_OUT, port });
  } catch (e) {
    await services.close();
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'EADDRINUSE' ? `port ${port} is in use; pick another with --port or leave it out for a free one` : err.message;
    io.stderr.write(`burrow web: cannot listen on 127.0.0.1:${port}: ${why}.\n`);
    return 1;
  }
  io.stdout.write(`Burrow is running at:\n\n  ${server.url}\n\nOpen it in a browser on this machine (the token is the password). Ctrl-C stops it.\n`);
  await io.stopSignal;
  await server.close();
  await services.close();
  return 0;
}
