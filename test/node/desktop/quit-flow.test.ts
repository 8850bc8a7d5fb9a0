import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { createQuitFlow } from '../../../electron/desktop/quit-flow';
import { TunnelEngine } from '../../../electron/tunnels/engine';
import { cleanup, freePort, startSshd, type Sshd } from '../../support/sshd';
import { hostFor } from '../../support/hosts';

let sshd: Sshd;
beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(() => cleanup(sshd));

const hostOf = (s: Sshd) => hostFor(s);

const canConnect = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });

describe('quit flow', () => {
  it('quits at once when nothing runs, without asking', async () => {
    const calls: string[] = [];
    const flow = createQuitFlow({
      runningCount: () => 0,
      confirm: async () => (calls.push('ask'), true),
      shutdown: async () => void calls.push('shutdown'),
      exit: () => calls.push('exit'),
    });
    expect(await flow.request()).toBe(true);
    expect(calls).toEqual(['shutdown', 'exit']);
    expect(flow.allowed).toBe(true);
  });

  it('asks when forwards run; "no" keeps everything running', async () => {
    const calls: string[] = [];
    const flow = createQuitFlow({
      runningCount: () => 2,
      confirm: async (n) => (calls.push(`ask ${n}`), false),
      shutdown: async () => void calls.push('shutdown'),
      exit: () => calls.push('exit'),
    });
    expect(await flow.request()).toBe(false);
    expect(calls).toEqual(['ask 2']);
    expect(flow.allowed).toBe(false);
  });

  it('a second request while the first asks is the same request (one dialog)', async () => {
    let asks = 0;
    let answer!: (v: boolean) => void;
    const flow = createQuitFlow({
      runningCount: () => 1,
      confirm: () => (asks++, new Promise((r) => (answer = r))),
      shutdown: async () => undefined,
      exit: () => undefined,
    });
    const a = flow.request();
    const b = flow.request();
    expect(flow.inProgress).toBe(true);
    answer(true);
    expect(await a).toBe(true);
    expect(await b).toBe(true);
    expect(asks).toBe(1);
  });

  it('exits even when stopping hangs, after the timeout', async () => {
    const logs: string[] = [];
    let exited = false;
    const flow = createQuitFlow({
      runningCount: () => 0,
      confirm: async () => true,
      shutdown: () => new Promise(() => undefined),
      exit: () => (exited = true),
      timeoutMs: 50,
      log: (m) => logs.push(m),
    });
    expect(await flow.request()).toBe(true);
    expect(exited).toBe(true);
    expect(logs[0]).toMatch(/longer than 50 ms/);
  });

  it('stops every real forward cleanly before exit', async () => {
    const engine = new TunnelEngine();
    const ports = [await freePort(), await freePort()];
    ports.forEach((p, i) =>
      engine.add(`f${i}`, hostOf(sshd), { kind: 'local', listen: { host: '127.0.0.1', port: p }, target: { host: '127.0.0.1', port: sshd.port } }),
    );
    await engine.start('f0');
    await engine.start('f1');
    expect(await canConnect(ports[0])).toBe(true);
    let statesAtExit: string[] = [];
    const flow = createQuitFlow({
      runningCount: () => engine.list().filter((f) => f.state.state !== 'stopped' && f.state.state !== 'failed').length,
      confirm: async (n) => n === 2,
      shutdown: () => engine.shutdown(),
      exit: () => (statesAtExit = engine.list().map((f) => f.state.state)),
    });
    expect(await flow.request()).toBe(true);
    expect(statesAtExit).toEqual(['stopped', 'stopped']);
    expect(await canConnect(ports[0])).toBe(false);
    expect(await canConnect(ports[1])).toBe(false);
  });
});
