// The engine follows the saved profiles from their change events, not by
// re-reading them (and decrypting every stored password) on each request.
import { listenPort } from '../../../shared/model';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServices, type Services } from '../../../electron/api/services';
import { MemorySecretStore } from '../../../electron/profiles/secrets';
import { okCaller } from '../../support/dispatch';
import { sshdHostInput } from '../../support/hosts';
import { cleanup, freePort, startPasswordSshd } from '../../support/sshd';

class CountingSecretStore extends MemorySecretStore {
  gets = 0;
  keys: string[] = [];
  override async get(key: string) {
    this.gets++;
    this.keys.push(key);
    return super.get(key);
  }
}

let dir: string;
let services: Services;
const secrets = new CountingSecretStore();
const ok = okCaller(() => services);

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'burrow-sync-'));
  services = await createServices({ configDir: dir, secretStore: secrets, watchProfiles: false });
  for (let i = 0; i < 5; i++) {
    await ok('host.add', { host: { name: `pw${i}`, hostname: '127.0.0.1', port: 9, auth: { method: 'password' } }, secret: `secret-${i}` });
  }
  await ok('forward.add', {
    forward: { name: 'f', kind: 'local', listen: { host: '127.0.0.1', port: 40999 }, target: { host: 'localhost', port: 9 }, host: 'pw0' },
  });
});

afterAll(async () => {
  await services?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('engine sync', () => {
  it('requests that change nothing fetch no secret', async () => {
    await ok('state.get', undefined);
    const before = secrets.gets;
    for (let i = 0; i < 3; i++) {
      await ok('state.get', undefined);
      await ok('forward.logs', { name: 'f' });
      await ok('forward.connections', { name: 'f' });
    }
    expect(secrets.gets - before).toBe(0);
  });

  it('a saved change reaches the engine before the answer, and one from another process on the next request', async () => {
    await ok('forward.update', {
      name: 'f',
      forward: { name: 'f', kind: 'local', listen: { host: '127.0.0.1', port: 40998 }, target: { host: 'localhost', port: 9 }, host: 'pw0' },
    });
    expect(services.engine.get('f').spec.listen).toMatchObject({ port: 40998 });
    // Another process edits the file (as `burrow edit` would).
    const file = path.join(dir, 'config.json');
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    doc.forwards[0].listen = { host: '127.0.0.1', port: 40997 };
    writeFileSync(file, JSON.stringify(doc));
    services.repo.refresh();
    await ok('state.get', undefined);
    expect(services.engine.get('f').spec.listen).toMatchObject({ port: 40997 });
  });
});

describe('stored host passwords', () => {
  it('are read when a login needs one: none for saving or syncing, only its own host’s for a start, and a SOCKS login’s when its forward starts', async () => {
    const PASSWORD = 'correct horse';
    const sshd = await startPasswordSshd(PASSWORD);
    const appDir = mkdtempSync(path.join(tmpdir(), 'burrow-lazy-secret-'));
    const store = new CountingSecretStore();
    const app = await createServices({ configDir: appDir, secretStore: store, watchProfiles: false });
    try {
      const call = okCaller(() => app);
      for (let i = 0; i < 3; i++)
        await call('host.add', { host: { name: `other${i}`, hostname: '127.0.0.1', port: 9, auth: { method: 'password' } }, secret: `x${i}` });
      await call('host.add', { host: sshdHostInput(sshd, 'real', { auth: { method: 'password' } }), secret: PASSWORD });
      const port = await freePort();
      await call('forward.add', {
        forward: { name: 'through-real', kind: 'local', listen: { host: '127.0.0.1', port }, target: { host: '127.0.0.1', port: 9 }, host: 'real' },
      });
      await call('forward.add', {
        forward: { name: 'socks', kind: 'dynamic', listen: { host: '127.0.0.1', port: await freePort() }, host: 'real', socksUser: 'alice' },
        secret: 'wonderland',
      });
      for (let i = 0; i < 3; i++) await call('state.get', undefined);
      expect(store.gets).toBe(0);

      await call('forward.start', { name: 'through-real' });
      await vi.waitFor(() => expect(app.engine.get('through-real').state.state).toBe('active'), { timeout: 20_000 });
      const real = app.repo.getHost('real')!;
      expect(real.auth.secretRef).toBeTruthy();
      expect(store.keys).toEqual([real.auth.secretRef]);
      // A SOCKS login's stored password is read when its forward starts (the session is shared: no host password again).
      await call('forward.start', { name: 'socks' });
      await vi.waitFor(() => expect(app.engine.get('socks').state.state).toBe('active'), { timeout: 20_000 });
      expect(store.keys).toEqual([real.auth.secretRef, app.repo.getForward('socks')!.socksSecretRef]);
      expect(app.engine.get('socks').spec.socksAuth).toEqual({ username: 'alice', password: 'wonderland' });
    } finally {
      await app.dispose();
      await cleanup(sshd);
      rmSync(appDir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('the profile document while watched', () => {
  it('is served from memory: requests read config.json no more, and another process’s write still arrives', async () => {
    const watchDir = mkdtempSync(path.join(tmpdir(), 'burrow-watch-'));
    const app = await createServices({ configDir: watchDir, secretStore: new MemorySecretStore() });
    try {
      const call = okCaller(() => app);
      await call('host.add', { host: { name: 'h', hostname: '127.0.0.1', port: 9 } });
      await call('forward.add', {
        forward: { name: 'w', kind: 'local', listen: { host: '127.0.0.1', port: 40996 }, target: { host: 'localhost', port: 9 }, host: 'h' },
      });
      const file = path.join(watchDir, 'config.json');
      const reads = vi.spyOn(fs, 'readFileSync');
      syncBuiltinESMExports();
      try {
        for (let i = 0; i < 3; i++) {
          await call('state.get', undefined);
          await call('forward.logs', { name: 'w' });
        }
        expect(reads.mock.calls.filter(([p]) => String(p) === file)).toEqual([]);
      } finally {
        reads.mockRestore();
        syncBuiltinESMExports();
      }
      const doc = JSON.parse(readFileSync(file, 'utf8'));
      doc.forwards[0].listen = { host: '127.0.0.1', port: 40995 };
      writeFileSync(file, JSON.stringify(doc));
      await vi.waitFor(() => expect(listenPort(app.repo.document().forwards[0])).toBe(40995), { timeout: 10_000 });
    } finally {
      await app.dispose();
      rmSync(watchDir, { recursive: true, force: true });
    }
  });
});
