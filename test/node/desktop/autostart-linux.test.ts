import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { autostartFile, setLinuxAutostart } from '../../../electron/desktop/autostart-linux';

describe('launch at login on Linux', () => {
  it('writes and removes an XDG autostart entry that starts hidden', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'burrow-xdg-'));
    try {
      const file = autostartFile({ XDG_CONFIG_HOME: dir });
      expect(file).toBe(path.join(dir, 'autostart', 'burrow.desktop'));
      setLinuxAutostart(true, ['/opt/Burrow App/burrow', '--hidden'], file);
      const text = readFileSync(file, 'utf8');
      expect(text).toContain('[Desktop Entry]');
      expect(text).toContain('Exec="/opt/Burrow App/burrow" --hidden');
      setLinuxAutostart(false, [], file);
      expect(existsSync(file)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
