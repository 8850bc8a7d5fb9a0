// `burrow` starts like a compiled tool: the built bundle (out/cli) runs, the
// command table loads no subcommand, and the top-level usage errors say what is
// accepted. (Start times are measured in `npm run bench`, not here.)
import { describe, expect, it } from 'vitest';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire, isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_OUT, buildCli } from '../../../bin/build-cli.mjs';
import { version } from '../../../package.json';
import { BURROW, burrowDone } from '../../support/cli';
import { runInProcess } from '../../support/cli-in-process';

const dir = mkdtempSync(join(tmpdir(), 'burrow-start-'));

describe('the built `burrow` command', () => {
  it('runs compiled JavaScript: --version, --help', async () => {
    const v = await burrowDone(['--version']);
    expect(v).toMatchObject({ code: 0, stderr: '' });
    expect(v.stdout).toMatch(new RegExp(`^burrow ${version.replace(/\./g, '\\.')} \\(Node\\.js `));
    const h = await burrowDone(['--help']);
    expect(h.code).toBe(0);
    for (const c of ['connect', 'up', 'ls', 'add', 'edit', 'rm', 'preset', 'import', 'export', 'web']) expect(h.stdout).toContain(`  ${c} `);
    expect(h.stdout).toContain('burrow --version');
  });

  it('says how to build it when the bundle is missing', () => {
    const top = mkdtempSync(join(tmpdir(), 'burrow-unbuilt-'));
    mkdirSync(join(top, 'bin'));
    copyFileSync(BURROW, join(top, 'bin', 'burrow.mjs'));
    const r = spawnSync(process.execPath, [join(top, 'bin', 'burrow.mjs'), '--help'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("the command is not built yet (out/cli/burrow.mjs is missing). Run 'npm install' (or 'npm run build:cli')");
  });

  it('loads no subcommand to start: the entry and the command table import neither the engine, the web server, zod nor conf', async () => {
    const { metafile } = await buildCli({ quiet: true, write: false });
    const outputs = metafile.outputs;
    const name = (entry: string) => Object.keys(outputs).find((o) => outputs[o].entryPoint === entry)!;
    /** The source files and packages an output file loads before it runs: itself and its static imports, transitively. */
    const loadedBy = (start: string) => {
      const files = new Set<string>();
      const externals = new Set<string>();
      const visit = (o: string) => {
        if (files.has(o)) return;
        files.add(o);
        for (const i of outputs[o].imports) {
          if (i.kind !== 'import-statement' && i.kind !== 'require-call') continue;
          if (i.external) externals.add(i.path);
          else visit(i.path);
        }
      };
      visit(start);
      const inputs = [...files].flatMap((o) => Object.keys(outputs[o].inputs));
      return { inputs, externals: [...externals] };
    };
    const heavy = (l: ReturnType<typeof loadedBy>) => [
      ...l.inputs.filter((i) => /node_modules\/(zod|conf|ajv|ws|ssh-config)\/|electron\/(tunnels|web|api|profiles)\/|shared\/(model|contract)\.ts/.test(i)),
      // Packages left outside the bundle (ssh2, ws's helpers, vite), not Node's own modules.
      ...l.externals.filter((e) => !isBuiltin(e)),
    ];
    const entry = loadedBy(name('electron/cli/entry.ts'));
    expect(entry.inputs).toContain('electron/cli/signals.ts');
    expect(heavy(entry)).toEqual([]);
    // Each subcommand is a bundle of its own, loaded when it runs.
    expect(entry.inputs.filter((i) => /electron\/cli\/(connect|up|profile-commands)\.ts|electron\/web\//.test(i))).toEqual([]);
    const engine = (l: ReturnType<typeof loadedBy>) => [
      ...l.inputs.filter((i) => i.startsWith('electron/tunnels/engine') || i.startsWith('electron/tunnels/session') || i.includes('node_modules/ssh2/')),
      ...l.externals.filter((e) => e.startsWith('ssh2')),
    ];
    // `burrow ls` reads profiles (zod, conf) but loads neither the engine, ssh2 nor the contract and its dispatcher.
    const ls = loadedBy(name('electron/cli/ls.ts'));
    expect(ls.inputs).toContain('electron/profiles/repository.ts');
    expect(engine(ls)).toEqual([]);
    expect(ls.inputs.filter((i) => /shared\/contract\.ts|electron\/api\//.test(i))).toEqual([]);
    // The commands that change profiles go through the dispatcher and the profile handlers, still without the engine.
    const change = loadedBy(name('electron/cli/profile-commands.ts'));
    expect(change.inputs).toEqual(expect.arrayContaining(['electron/api/dispatcher.ts', 'electron/api/profile-handlers.ts']));
    expect(engine(change)).toEqual([]);
    // `burrow connect` carries ssh2's JavaScript (compiled through the code cache with the rest), and
    // loads ssh2's native parts from where npm installed them, by package path.
    const connect = loadedBy(name('electron/cli/connect.ts'));
    expect(connect.inputs).toContain('node_modules/ssh2/lib/client.js');
    const native = ['ssh2/lib/protocol/crypto/build/Release/sshcrypto.node', 'ssh2/lib/protocol/crypto/poly1305.js'];
    expect(connect.externals.filter((e) => e.startsWith('ssh2')).sort()).toEqual(native);
    // They resolve from out/cli. The binding is there where `npm ci` could build it (package.json allowScripts; a machine
    // without a compiler goes without, and ssh2 falls back to Node's crypto).
    const fromCli = createRequire(join(CLI_OUT, 'connect.cjs'));
    const built = existsSync(join(CLI_OUT, '..', '..', 'node_modules', native[0]));
    for (const n of built ? native : native.slice(1)) expect(fromCli.resolve(n)).toContain('node_modules/ssh2/lib/protocol/crypto/');
  });

  it("loads each subcommand through V8's code cache, and a cache V8 rejects is made anew", () => {
    const copy = join(mkdtempSync(join(tmpdir(), 'burrow-cache-')), 'cli');
    cpSync(CLI_OUT, copy, { recursive: true });
    const cache = join(copy, 'ls.cjs.v8cache');
    rmSync(cache, { force: true });
    const ls = (...args: string[]) =>
      spawnSync(process.execPath, [join(copy, 'burrow.mjs'), 'ls', ...args], { encoding: 'utf8', env: { ...process.env, BURROW_CONFIG_DIR: dir } });
    // A run that fails at once (a typo) leaves no cache: it would lack what a real run compiles.
    expect(ls('extra').status).toBe(2);
    expect(existsSync(cache)).toBe(false);
    expect(ls().status).toBe(0);
    const made = readFileSync(cache);
    expect(made.length).toBeGreaterThan(1000);
    writeFileSync(cache, 'not a V8 code cache');
    const r = ls();
    expect(r.stdout).toContain('Hosts:');
    expect(r.status).toBe(0);
    expect(readFileSync(cache).length).toBeGreaterThan(1000);
  });
});

describe('usage errors say what is accepted (exit 2)', () => {
  it("'burrow help nosuch'", async () => {
    const r = await burrowDone(['help', 'nosuch']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("burrow: no help for 'nosuch': there is no such command. Commands: connect, up, ls, add, edit, rm, preset, import, export, web.\n");
    expect(r.stdout).toBe('');
  });

  it("'burrow help ls' prints ls's help; 'burrow help ls extra' is refused", async () => {
    const ok = await runInProcess(dir, ['help', 'ls']);
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('Usage: burrow ls [--json]');
    const extra = await runInProcess(dir, ['help', 'ls', 'extra']);
    expect(extra.code).toBe(2);
    expect(extra.err).toContain("'burrow help' takes one command name (got also: extra)");
  });

  it("'burrow ls extra' is refused", async () => {
    const r = await runInProcess(dir, ['ls', 'extra']);
    expect(r.code).toBe(2);
    expect(r.err).toBe("burrow: error: 'burrow ls' lists every saved host and forward and takes no arguments (got: extra). See 'burrow ls --help'.\n");
  });

  it("'--json=1' says that --json takes no value", async () => {
    const r = await runInProcess(dir, ['ls', '--json=1']);
    expect(r.code).toBe(2);
    expect(r.err).toContain("--json takes no value (got --json=1): write --json alone. See 'burrow ls --help'.");
  });

  it('an unknown flag lists the flags the command accepts', async () => {
    const ls = await runInProcess(dir, ['ls', '--all']);
    expect(ls.code).toBe(2);
    expect(ls.err).toContain("Unknown flag --all. 'burrow ls' accepts --json, --help. See 'burrow ls --help'.");
    const connect = await runInProcess(dir, ['connect', '-Z', 'host']);
    expect(connect.code).toBe(2);
    expect(connect.err).toContain("Unknown flag -Z. 'burrow connect' accepts -L VALUE, -R VALUE, -D VALUE,");
    expect(connect.err).toContain('--socks-user VALUE, --json, --help.');
  });

  it('an unknown option or command before any command', async () => {
    const opt = await runInProcess(dir, ['--frob']);
    expect(opt.code).toBe(2);
    expect(opt.err).toContain("unknown option '--frob'. Before a command only --help, -h, --version and -V are accepted");
    const cmd = await runInProcess(dir, ['nosuch']);
    expect(cmd.code).toBe(2);
    expect(cmd.err).toContain("unknown command 'nosuch'. Commands: connect, up, ls,");
  });
});
