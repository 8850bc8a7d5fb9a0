// The `burrow` command: one module per subcommand, listed here.
import { own } from '../../shared/own-property';
import { connect, CONNECT_HELP } from './connect';
import { ADD_HELP, EDIT_HELP, EXPORT_HELP, IMPORT_HELP, LS_HELP, PRESET_HELP, RM_HELP, add, edit, exportCmd, importCmd, ls, preset, rm } from './profile-commands';
import { UP_HELP, up } from './up';
import { WEB_HELP, web } from '../web/command';
import { processIO, type CliIO } from './io';

export interface Command {
  summary: string;
  help: string;
  run(argv: string[], io: CliIO): Promise<number>;
}

export const commands: Record<string, Command> = {
  connect: { summary: 'Forward ports through one SSH server (ssh -L/-R/-D/-J)', help: CONNECT_HELP, run: connect },
  up: { summary: 'Run saved forwards by name, group or all, in the foreground', help: UP_HELP, run: up },
  ls: { summary: 'List saved hosts and forwards', help: LS_HELP, run: ls },
  add: { summary: 'Save a host or a forward (add host | add forward)', help: ADD_HELP, run: add },
  edit: { summary: 'Change a saved host or forward', help: EDIT_HELP, run: edit },
  rm: { summary: 'Remove a saved host or forward', help: RM_HELP, run: rm },
  preset: { summary: "Save a forward for a common service ('preset pop3 --via HOST')", help: PRESET_HELP, run: preset },
  import: { summary: 'Import ~/.ssh/config or a JSON export (with a report)', help: IMPORT_HELP, run: importCmd },
  export: { summary: 'Export profiles as JSON, an ssh_config fragment or an ssh command', help: EXPORT_HELP, run: exportCmd },
  web: { summary: 'Open the desktop UI in a browser (127.0.0.1 only, with an access token)', help: WEB_HELP, run: web },
};

export function mainHelp(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  return `Usage: burrow <command> [options]

Burrow manages SSH tunnels: local (-L), remote (-R) and SOCKS (-D) forwards,
with jump hosts, known_hosts checking, keepalive and automatic reconnect.

Commands:
${Object.entries(commands)
  .map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`)
  .join('\n')}

Run 'burrow <command> --help' for a command's flags.
`;
}

export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    const about = topic === undefined ? undefined : own(commands, topic);
    io.stdout.write(about ? about.help : mainHelp());
    return 0;
  }
  const cmd = own(commands, name);
  if (!cmd) {
    io.stderr.write(`burrow: unknown command '${name}'. Run 'burrow --help' for the list.\n`);
    return 2;
  }
  try {
    return await cmd.run(rest, io);
  } catch (e) {
    io.stderr.write(`burrow: ${(e as Error).message}\n`);
    return 1;
  }
}
