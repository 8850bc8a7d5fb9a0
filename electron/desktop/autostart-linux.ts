// Launch at login on Linux: Electron's login-item API covers only macOS and
// Windows, so an XDG autostart entry (~/.config/autostart/burrow.desktop) is
// written or removed here.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function autostartFile(env: NodeJS.ProcessEnv = process.env, home = os.homedir()): string {
  return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'autostart', 'burrow.desktop');
}

const quoteExec = (arg: string) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `"${arg.replace(/(["`$\\])/g, '\\$1')}"`);

export function desktopEntry(exec: string[]): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Burrow',
    'Comment=SSH tunnel manager',
    `Exec=${exec.map(quoteExec).join(' ')}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/** exec: the executable and its arguments (e.g. [process.execPath, '--hidden'], or the AppImage path). */
export function setLinuxAutostart(enabled: boolean, exec: string[], file = autostartFile()): void {
  if (!enabled) {
    fs.rmSync(file, { force: true });
    return;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, desktopEntry(exec));
}
