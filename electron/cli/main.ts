// The `burrow` command: one module per subcommand, listed here and loaded only
// when that command runs (or its help is asked for), so that `burrow --help`
// loads neither the engine, the web server nor zod.
import { version } from '../../package.json';
import { loadBundle } from './bundle-loader';
import type { CliIO } from './io';

export interface Command {
  help: string;
  run(argv: string[], io: CliIO): Promise<number>;
}

interface CommandEntry {
  summary: string;
  load(): Promise<Command>;
}

/** Set by bin/build-cli.mjs: in the built command each subcommand is a bundle of its own (bundle-loader.ts). */
declare const BURROW_BUNDLE: boolean | undefined;

/** A command whose module is imported when it is first needed: `bundle` when built, else `load` (the sources, in tests). */
const lazy =
  <M>(bundle: string, load: () => Promise<M>, pick: (m: M) => Command) =>
  async (): Promise<Command> =>
    pick(typeof BURROW_BUNDLE !== 'undefined' ? (loadBundle(bundle) as M) : await load());

export const commands: Record<string, CommandEntry> = {
  connect: {
    summary: 'Forward ports through one SSH server (ssh -L/-R/-D/-J)',
    load: lazy(
      'connect',
      () => import('./connect'),
      (m) => ({ help: m.CONNECT_HELP, run: m.connect }),
    ),
  },
  up: {
    summary: 'Run saved forwards by name, group or all, in the foreground',
    load: lazy(
      'up',
      () => import('./up'),
      (m) => ({ help: m.UP_HELP, run: m.up }),
    ),
  },
  ls: {
    summary: 'List saved hosts and forwards',
    load: lazy(
      'ls',
      () => import('./ls'),
      (m) => ({ help: m.LS_HELP, run: m.ls }),
    ),
  },
  add: {
    summary: 'Save a host or a forward (add host | add forward)',
    load: lazy(
      'profile-commands',
      () => import('./profile-commands'),
      (m) => ({ help: m.ADD_HELP, run: m.add }),
    ),
  },
  edit: {
    summary: 'Change a saved host or forward',
    load: lazy(
      'profile-commands',
      () => import('./profile-commands'),
      (m) => ({ help: m.EDIT_HELP, run: m.edit }),
    ),
  },
  rm: {
    summary: 'Remove a saved host or forward',
    load: lazy(
      'profile-commands',
      () => import('./profile-commands'),
      (m) => ({ help: m.RM_HELP, run: m.rm }),
    ),
  },
  preset: {
    summary: "Save a forward for a common service ('preset pop3 --via HOST')",
    load: lazy(
      'profile-commands',
      () => import('./profile-commands'),
      (m) => ({ help: m.PRESET_HELP, run: m.preset }),
    ),
  },
  import: {
    summary: 'Import ~/.ssh/config or a JSON export (with a report)',
    load: lazy(
      'profile-commands',
      () => import('./profile-commands'),
      (m) => ({ help: m.IMPORT_HELP, run: m.importCmd }),
    ),
  },
  export: {
    summary: 'Export profiles as JSON, an ssh_config fragment or an ssh command',
    load: lazy(
      'profile-commands',
      () => import('./profile-commands'),
      (m) => ({ help: m.EXPORT_HELP, run: m.exportCmd }),
    ),
  },
  web: {
    summary: 'Open the desktop UI in a browser (127.0.0.1 only, with an access token)',
    load: lazy(
      'web',
      () => import('./web'),
      (m) => ({ help: m.WEB_HELP, run: m.web }),
    ),
  },
};

export const VERSION_TEXT = `burrow ${version} (Node.js ${process.versions.node}${process.versions.electron ? `, Electron ${process.versions.electron}` : ''})\n`;

export function mainHelp(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  return `Usage: burrow <command> [options]
       burrow help <command> | burrow --version

Burrow manages SSH tunnels: local (-L), remote (-R) and SOCKS (-D) forwards,
with jump hosts, known_hosts checking, keepalive and automatic reconnect.

Commands:
${Object.entries(commands)
  .map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`)
  .join('\n')}

Run 'burrow <command> --help' for a command's flags.
`;
}

const commandList = () => Object.keys(commands).join(', ');

export async function main(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V') {
    io.stdout.write(VERSION_TEXT);
    return 0;
  }
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    if (rest.length > (name === 'help' ? 1 : 0)) {
      const extra = rest.slice(name === 'help' ? 1 : 0).join(' ');
      io.stderr.write(
        `burrow: ${name === 'help' ? "'burrow help' takes one command name" : `'burrow ${name}' takes nothing more`} (got also: ${extra}). Run 'burrow help <command>'.\n`,
      );
      return 2;
    }
    if (topic === undefined) {
      io.stdout.write(mainHelp());
      return 0;
    }
    if (!Object.hasOwn(commands, topic)) {
      io.stderr.write(`burrow: no help for '${topic}': there is no such command. Commands: ${commandList()}.\n`);
      return 2;
    }
    io.stdout.write((await commands[topic].load()).help);
    return 0;
  }
  if (name.startsWith('-')) {
    io.stderr.write(
      `burrow: unknown option '${name}'. Before a command only --help, -h, --version and -V are accepted; run 'burrow --help' for the commands.\n`,
    );
    return 2;
  }
  if (!Object.hasOwn(commands, name)) {
    io.stderr.write(`burrow: unknown command '${name}'. Commands: ${commandList()}. Run 'burrow --help' for what each does.\n`);
    return 2;
  }
  try {
    const cmd = await commands[name].load();
    return await cmd.run(rest, io);
  } catch (e) {
    io.stderr.write(`burrow: ${(e as Error).message}\n`);
    return 1;
  }
}
