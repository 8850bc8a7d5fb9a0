import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { allTrayIconFiles } from '../../../electron/desktop/tray-menu';

const root = path.resolve(import.meta.dirname, '../../..');
const require = createRequire(import.meta.url);

describe('electron-builder.yml', () => {
  const config = parse(readFileSync(path.join(root, 'electron-builder.yml'), 'utf8'));
  const schema = JSON.parse(readFileSync(require.resolve('app-builder-lib/scheme.json'), 'utf8'));
  const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);

  it("is valid against electron-builder's own JSON schema", () => {
    const ok = validate(config);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the schema check catches mistakes (it can fail)', () => {
    expect(validate({ ...config, linux: { ...config.linux, target: 42 } })).toBe(false);
    expect(validate({ ...config, npmRebuild: 'no' })).toBe(false);
    expect(validate({ ...config, notAnOption: true })).toBe(false);
  });

  it('builds AppImage+deb, dmg and nsis, never rebuilds native modules, ships icons', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.npmRebuild).toBe(false);
    for (const icon of [config.linux.icon, config.mac.icon, config.win.icon]) expect(existsSync(path.join(root, icon)), icon).toBe(true);
    const extra = config.extraResources as { from: string; to: string }[];
    expect(extra).toContainEqual(expect.objectContaining({ from: 'resources/tray', to: 'tray' }));
    expect(extra).toContainEqual({ from: 'resources/icon.png', to: 'icon.png' });
    for (const f of allTrayIconFiles()) expect(existsSync(path.join(root, 'resources', f)), f).toBe(true);
  });
});
