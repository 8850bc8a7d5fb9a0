// Runs the built main bundle (out/main/main.js) under plain Node with the
// recording fake of 'electron' (./electron.mjs), and drives it over the
// child-process IPC channel. Build first (`npm run build`, or into another folder with BURROW_BUILD_OUT).
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface Recorded {
  api: string;
  args: unknown[];
}

export interface FakeApp {
  child: ChildProcess;
  op<T = unknown>(name: string, args?: object): Promise<T>;
  calls(api?: string): Promise<Recorded[]>;
  /** Resolves with the exit code (null when killed). */
  exited: Promise<number | null>;
  output(): string;
  kill(): void;
}

const root = path.resolve(import.meta.dirname, '../../..');

export function runBuiltMain(outDir: string, env: Record<string, string>): FakeApp {
  const child = fork(path.join(outDir, 'main/main.js'), [], {
    cwd: root,
    execArgv: ['--import', path.join(import.meta.dirname, 'register.mjs')],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let next = 1;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  child.on('message', (m: { id?: number; ok?: boolean; value?: unknown; error?: string }) => {
    if (typeof m?.id !== 'number') return;
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.ok) p?.resolve(m.value);
    else p?.reject(new Error(m.error));
  });
  void exited.then(() => {
    for (const p of pending.values()) p.reject(new Error(`the main process exited:\n${out}`));
  });
  const op = <T>(name: string, args: object = {}) =>
    new Promise<T>((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ id, op: name, args });
    });
  return {
    child,
    op,
    calls: async (api) => (await op<Recorded[]>('calls')).filter((c) => !api || c.api === api),
    exited,
    output: () => out,
    kill: () => void child.kill('SIGKILL'),
  };
}
