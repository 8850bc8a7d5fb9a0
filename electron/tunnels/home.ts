// `~` and `~/...` in paths people give (key files, known_hosts, Include), as ssh reads them.
// Its own module: the profile commands use it without loading the engine or ssh2.
import { homedir } from 'node:os';
import { join } from 'node:path';

export function expandHome(p: string): string {
  return p === '~' ? homedir() : p.startsWith('~/') ? join(homedir(), p.slice(2)) : p;
}
