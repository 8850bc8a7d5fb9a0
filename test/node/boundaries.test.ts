// Only electron/app/ imports 'electron' or 'electron-store' at run time; shared/
// imports neither Node nor DOM; the tray input reflects saved forwards and states.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { trayInput } from '../../electron/desktop/tray-input';

const root = path.resolve(import.meta.dirname, '../..');
function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? files(p) : /\.tsx?$/.test(n) ? [p] : [];
  });
}
const runtimeImports = (text: string) => [...text.matchAll(/^\s*import\s+(?!type\b)[^;]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]);

describe('module boundaries', () => {
  it("nothing outside electron/app imports 'electron' or 'electron-store' at run time", () => {
    const offenders = [...files(path.join(root, 'electron')), ...files(path.join(root, 'shared'))]
      .filter((f) => !f.includes(`${path.sep}electron${path.sep}app${path.sep}`))
      .filter((f) => runtimeImports(readFileSync(f, 'utf8')).some((m) => m === 'electron' || m === 'electron-store' || m.startsWith('electron/')));
    expect(offenders.map((f) => path.relative(root, f))).toEqual([]);
  });

  it('the boundary check sees a runtime import (it can fail)', () => {
    expect(runtimeImports("import { app } from 'electron';\nimport type { X } from 'electron';")).toEqual(['electron']);
  });

  it('shared/ contract imports neither Node nor DOM', () => {
    const text = readFileSync(path.join(root, 'shared/contract.ts'), 'utf8');
    for (const m of runtimeImports(text)) expect(m === 'zod' || m.startsWith('./'), m).toBe(true);
    const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    expect(code).not.toMatch(/\b(window|document|process|require)\./);
  });
});

describe('tray input', () => {
  it('uses where a forward actually listens', () => {
    const input = trayInput(
      {
        hosts: [{ name: 'mail' } as never],
        forwards: [
          {
            name: 'pop3',
            kind: 'local',
            listen: { host: '127.0.0.1', port: 1100 },
            target: { host: 'localhost', port: 110 },
            host: 'mail',
            autostart: false,
            tags: [],
          },
          {
            name: 'back',
            kind: 'remote',
            listen: { host: 'localhost', port: 0 },
            target: { host: 'localhost', port: 22 },
            host: 'mail',
            autostart: false,
            tags: [],
            group: 'g',
          },
        ],
      },
      (n) => (n === 'back' ? { state: 'active', bound: { host: 'localhost', port: 40123 }, destination: { status: 'untried' } } : undefined),
      [],
    );
    expect(input.forwards).toEqual([
      { id: 'pop3', name: 'pop3', group: undefined, state: 'stopped', destinationFailing: false, destinationUntried: false, localAddress: '127.0.0.1:1100' },
      { id: 'back', name: 'back', group: 'g', state: 'active', destinationFailing: false, destinationUntried: true, localAddress: 'server localhost:40123' },
    ]);
    // The presets' labels (the port each will really get) are tested in app-tray-presets.test.ts.
    expect(input.hosts).toEqual([{ id: 'mail', name: 'mail' }]);
  });
});
