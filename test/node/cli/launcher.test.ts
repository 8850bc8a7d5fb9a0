// The installed desktop app's `burrow` command: the launcher (resources/bin),
// the deb/rpm link scripts and the fuses it depends on. No Electron binary can be
// downloaded here, so the launcher runs in a copy of the installed layout with a
// stand-in for the app binary that, like Electron with ELECTRON_RUN_AS_NODE=1,
// acts as Node.js (and refuses to run without that variable).
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { version } from '../../../package.json';
import { ROOT } from '../../support/cli';

const config = parse(readFileSync(path.join(ROOT, 'electron-builder.yml'), 'utf8'));
const launcher = readFileSync(path.join(ROOT, 'resources/bin/burrow'), 'utf8');

/** An installed app: APP/resources/{bin/burrow, app.asar/out/cli, app.asar/node_modules} and the binary where `binary` says. */
function installedLayout(binary: string): { app: string; linkDir: string } {
  const top = mkdtempSync(path.join(tmpdir(), 'burrow-installed-'));
  const resources = path.join(top, 'app', binary.startsWith('MacOS/') ? 'Resources' : 'resources');
  mkdirSync(path.join(resources, 'bin'), { recursive: true });
  cpSync(path.join(ROOT, 'resources/bin/burrow'), path.join(resources, 'bin/burrow'));
  // app.asar stands for the packaged files (electron-builder.yml `files`: out/**, and the dependencies).
  mkdirSync(path.join(resources, 'app.asar/out'), { recursive: true });
  cpSync(path.join(ROOT, 'out/cli'), path.join(resources, 'app.asar/out/cli'), { recursive: true });
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(resources, 'app.asar/node_modules'));
  const bin = path.join(top, 'app', binary);
  mkdirSync(path.dirname(bin), { recursive: true });
  writeFileSync(bin, `#!/bin/sh\n[ "$ELECTRON_RUN_AS_NODE" = 1 ] || { echo "started as the desktop app" >&2; exit 99; }\nexec '${process.execPath}' "$@"\n`);
  chmodSync(bin, 0o755);
  // As the deb's after-install links /usr/bin/burrow.
  const linkDir = path.join(top, 'usr-bin');
  mkdirSync(linkDir);
  symlinkSync(path.join(resources, 'bin/burrow'), path.join(linkDir, 'burrow'));
  return { app: path.join(top, 'app'), linkDir };
}

describe('the packaged `burrow` launcher', () => {
  for (const [os, binary] of [
    ['Linux', config.linux.executableName as string],
    ['macOS', `MacOS/${config.productName}`],
  ]) {
    it(`runs the compiled CLI with the app's binary as Node.js, through the PATH link (${os} layout)`, () => {
      const { linkDir } = installedLayout(binary);
      const dir = mkdtempSync(path.join(tmpdir(), 'burrow-launcher-cfg-'));
      const run = (args: string[]) => spawnSync(path.join(linkDir, 'burrow'), args, { encoding: 'utf8', env: { ...process.env, BURROW_CONFIG_DIR: dir } });
      const v = run(['--version']);
      expect(v.stderr).toBe('');
      expect(v.stdout).toContain(`burrow ${version}`);
      expect(v.status).toBe(0);
      const ls = run(['ls']);
      expect(ls.stdout).toContain('Hosts:');
      expect(ls.status).toBe(0);
      // Exit statuses come through the launcher.
      expect(run(['help', 'nosuch']).status).toBe(2);
    });
  }

  it('is shipped as resources/bin by electron-builder, beside app.asar with out/', () => {
    expect(config.extraResources).toContainEqual({ from: 'resources/bin', to: 'bin', filter: ['burrow', 'burrow.cmd'] });
    expect(config.files).toContain('out/**');
    expect(execFileSync('git', ['ls-files', '-s', 'resources/bin/burrow'], { cwd: ROOT, encoding: 'utf8' })).toMatch(/^100755 /);
    const cmd = readFileSync(path.join(ROOT, 'resources/bin/burrow.cmd'), 'utf8');
    expect(cmd).toContain('set ELECTRON_RUN_AS_NODE=1');
    expect(cmd).toContain(`"%~dp0..\\..\\${config.productName}.exe" "%~dp0..\\app.asar\\out\\cli\\burrow.mjs" %*`);
  });

  it("deb and rpm link /usr/bin/burrow on install and unlink it on removal, keeping electron-builder's own scripts", () => {
    for (const [ours, theirs] of [
      [config.deb.afterInstall, 'after-install.tpl'],
      [config.deb.afterRemove, 'after-remove.tpl'],
    ]) {
      const text = readFileSync(path.join(ROOT, ours), 'utf8');
      const stock = readFileSync(path.join(ROOT, 'node_modules/app-builder-lib/templates/linux', theirs), 'utf8');
      expect(text, `${ours} must contain electron-builder's ${theirs} unchanged`).toContain(stock.replace(/^#!.*\n/, ''));
      expect(() => execFileSync('bash', ['-n', path.join(ROOT, ours)])).not.toThrow();
    }
    expect(readFileSync(path.join(ROOT, config.deb.afterInstall), 'utf8')).toContain(
      "ln -sf '/opt/${sanitizedProductName}/resources/bin/burrow' '/usr/bin/burrow'",
    );
    expect(readFileSync(path.join(ROOT, config.deb.afterRemove), 'utf8')).toContain("rm -f '/usr/bin/burrow'");
    expect(config.rpm).toEqual({ afterInstall: config.deb.afterInstall, afterRemove: config.deb.afterRemove });
  });
});

describe('Electron fuses', () => {
  it('never open the inspector nor read NODE_OPTIONS; RunAsNode stays on because the launcher needs it', () => {
    const fuses = config.electronFuses;
    expect(fuses.enableNodeCliInspectArguments).toBe(false);
    expect(fuses.enableNodeOptionsEnvironmentVariable).toBe(false);
    expect(fuses.grantFileProtocolExtraPrivileges).toBe(false);
    expect(fuses.onlyLoadAppFromAsar).toBe(true);
    // Turning runAsNode off breaks the launcher: it would start the desktop app instead of the command.
    expect(launcher).toContain('ELECTRON_RUN_AS_NODE=1 exec');
    expect(fuses.runAsNode).toBe(true);
  });
});
