// "Save and start" (forward.add / forward.fromPreset with start, forward.update
// of a running forward): when saving works and starting does not, the answer
// is ok with the saved forward, its state failed with the reason, and
// startError; nothing is saved twice. Against the real engine and a real sshd.
import { listenPort } from '../../../shared/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServices, type Services } from '../../../electron/api/services';
import { MemorySecretStore } from '../../../electron/profiles/secrets';
import { okCaller } from '../../support/dispatch';
import { cleanup, freePort, startSshd, type Sshd } from '../../support/sshd';
import { echoServer, serve, type TestServer } from '../../support/tcp';
import { stateReason } from '../../../shared/tunnel-state';

let sshd: Sshd;
let dir: string;
let services: Services;
let echo: TestServer;
let squatter: TestServer;

const ok = okCaller(() => services);

const host = (name: string, port: number) => ({
  name,
  hostname: '127.0.0.1',
  port,
  user: sshd.user,
  auth: { method: 'key' as const, keyPath: sshd.userKey, identitiesOnly: true },
  knownHostsFile: sshd.knownHosts,
  strictHostKeyChecking: 'yes' as const,
});
const names = () =>
  services.repo
    .document()
    .forwards.map((f) => f.name)
    .sort();

beforeAll(async () => {
  [sshd, echo, squatter] = await Promise.all([startSshd(), echoServer(), serve(() => undefined)]);
  dir = mkdtempSync(path.join(tmpdir(), 'burrow-save-start-'));
  services = await createServices({
    configDir: dir,
    secretStore: new MemorySecretStore(),
    watchProfiles: false,
    promptTimeoutMs: 20_000,
    engine: { reconnect: { baseDelayMs: 100, maxDelayMs: 500 } },
  });
  await ok('host.add', { host: host('mail', sshd.port) });
  // Nothing listens there: the SSH connection is refused.
  await ok('host.add', { host: host('down', await freePort()) });
}, 60_000);

afterAll(async () => {
  await services?.dispose();
  await echo?.close();
  await squatter?.close();
  await cleanup(sshd);
  rmSync(dir, { recursive: true, force: true });
});

describe('save and start, when the start fails', () => {
  it('forward.add with the local port in use: ok, saved, failed with the reason and startError', async () => {
    const forward = {
      name: 'busy',
      kind: 'local' as const,
      listen: { host: '127.0.0.1', port: squatter.port },
      target: { host: '127.0.0.1', port: echo.port },
      host: 'mail',
    };
    const v = await ok('forward.add', { forward, start: true });
    expect(v.forward).toMatchObject({ name: 'busy', listen: { port: squatter.port } });
    expect(v.startError).toMatchObject({ code: 'PORT_IN_USE', message: expect.stringContaining(String(squatter.port)) });
    expect(v.state).toMatchObject({ state: 'failed', reason: { code: 'PORT_IN_USE' } });
    expect(services.repo.getForward('busy')).toBeDefined();
    // Once started on a free port, it works: the saved forward is whole.
    await ok('forward.update', { name: 'busy', forward: { ...forward, listen: { host: '127.0.0.1', port: await freePort() } } });
    expect((await ok('forward.start', { name: 'busy' })).state.state).toBe('active');
    await ok('forward.stop', { name: 'busy' });
  });

  it('forward.fromPreset through a host that cannot be reached: ok, one forward saved, showing why', async () => {
    const before = names();
    const v = await ok('forward.fromPreset', { presetId: 'pop3', host: 'down', start: true });
    expect(v.forward.name).toBe('pop3-down');
    expect(names()).toEqual([...before, 'pop3-down'].sort());
    // The engine either fails the start or keeps retrying the refused connection; the reason is there either way.
    expect(stateReason(v.state)).toMatchObject({ code: 'SSH_CONNECT_FAILED', message: expect.stringContaining('connection refused') });
    if (v.state.state === 'failed') expect(v.startError).toMatchObject({ code: 'SSH_CONNECT_FAILED' });
    else expect(v.state.state).toBe('reconnecting');
    await ok('forward.stop', { name: 'pop3-down' });
  });

  it('forward.update restarting a running forward that then cannot start: ok, saved, startError', async () => {
    const port = await freePort();
    const forward = {
      name: 'moving',
      kind: 'local' as const,
      listen: { host: '127.0.0.1', port: port },
      target: { host: '127.0.0.1', port: echo.port },
      host: 'mail',
    };
    expect((await ok('forward.add', { forward, start: true })).state.state).toBe('active');
    const v = await ok('forward.update', { name: 'moving', forward: { ...forward, listen: { host: '127.0.0.1', port: squatter.port } } });
    expect(v.startError).toMatchObject({ code: 'PORT_IN_USE' });
    expect(v.state.state).toBe('failed');
    expect(listenPort(services.repo.getForward('moving')!)).toBe(squatter.port);
  });

  it('a start that works has no startError', async () => {
    const v = await ok('forward.add', {
      forward: {
        name: 'fine',
        kind: 'local',
        listen: { host: '127.0.0.1', port: await freePort() },
        target: { host: '127.0.0.1', port: echo.port },
        host: 'mail',
      },
      start: true,
    });
    expect(v.state.state).toBe('active');
    expect(v).not.toHaveProperty('startError');
    await ok('forward.stop', { name: 'fine' });
  });
});
