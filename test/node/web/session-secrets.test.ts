// `burrow web` keeps passwords in memory for as long as it runs. The shared
// config.json must never claim a secret that the desktop app's (or the CLI's)
// store does not hold: two repositories on one file, the browser mode's and
// the app's.
import { parseHost } from '../../../shared/model';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProfileRepository } from '../../../electron/profiles/repository';
import { MemorySecretStore } from '../../../electron/profiles/secrets';
import { createWebServices, type WebServices } from '../../../electron/web/services';
import type { HostView } from '../../../shared/contract';

let dir: string;
let web: WebServices | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'burrow-web-secrets-'));
});
afterEach(async () => {
  await web?.close();
  web = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const onDisk = () =>
  JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as {
    hosts: Array<{ name: string; auth: Record<string, unknown> }>;
    forwards: Array<Record<string, unknown>>;
  };

async function ok<T>(p: Promise<{ ok: boolean; value?: unknown; message?: string }>): Promise<T> {
  const r = await p;
  if (!r.ok) throw new Error(r.message);
  return r.value as T;
}

describe('burrow web: session-only secrets', () => {
  it('keeps its passwords in memory and their references out of the shared file', async () => {
    web = await createWebServices({ configDir: dir });
    const added = await ok<{ host: HostView }>(
      web.dispatcher.dispatch('host.add', { host: { name: 'pw', hostname: 'pw.example.com', auth: { method: 'password' } }, secret: 's3cret-web' }),
    );
    // The browser mode itself knows the password for as long as it runs...
    expect(added.host.hasStoredSecret).toBe(true);
    expect(await web.repo.hostSecret('pw')).toBe('s3cret-web');
    await ok(
      web.dispatcher.dispatch('forward.add', {
        forward: { name: 'socks', kind: 'dynamic', listen: { host: '127.0.0.1', port: 1080 }, host: 'pw', socksUser: 'alice' },
        secret: 'socks-pass',
      }),
    );
    expect(await web.repo.forwardSecret('socks')).toBe('socks-pass');

    // ...but the file claims nothing.
    const text = readFileSync(join(dir, 'config.json'), 'utf8');
    expect(text).not.toContain('s3cret-web');
    expect(onDisk().hosts.find((h) => h.name === 'pw')!.auth).toEqual({ method: 'password' });
    expect(onDisk().forwards.find((f) => f.name === 'socks')!.socksSecretRef).toBeUndefined();

    // The desktop app, on the same file with its own store: no secret is said to be stored.
    const app = await ProfileRepository.open({ dir, secrets: new MemorySecretStore() });
    expect(app.requireHost('pw').auth.secretRef).toBeUndefined();
    expect(app.requireForward('socks').socksSecretRef).toBeUndefined();
    expect(await app.hostSecret('pw')).toBeNull();

    // The app saves its own password for another host (a real stored secret), and edits 'pw'.
    await app.addHost(parseHost({ name: 'apphost', hostname: 'a.example.com', auth: { method: 'password' } }), { secret: 'app-pass' });
    await app.replaceHost('pw', { ...app.requireHost('pw'), notes: 'edited in the app' });
    const appRef = app.requireHost('apphost').auth.secretRef;
    expect(appRef).toMatch(/^burrow:host:/);

    // The browser mode picks up the app's writes and still knows its own password.
    web.repo.refresh();
    expect(web.repo.requireHost('pw')).toMatchObject({ notes: 'edited in the app', auth: { method: 'password', secretRef: expect.any(String) } });
    expect(await web.repo.hostSecret('pw')).toBe('s3cret-web');
    // Its own next write keeps the app's reference (the app's store holds it) and still leaves out its own.
    await ok(
      web.dispatcher.dispatch('host.update', {
        name: 'pw',
        host: { name: 'pw', hostname: 'pw2.example.com', auth: { method: 'password' }, notes: 'edited in the web' },
      }),
    );
    expect(onDisk().hosts.find((h) => h.name === 'apphost')!.auth.secretRef).toBe(appRef);
    expect(onDisk().hosts.find((h) => h.name === 'pw')!.auth).toEqual({ method: 'password' });
    expect(await web.repo.hostSecret('pw')).toBe('s3cret-web');

    // After the browser mode stops, the file still claims only what the app holds.
    await web.close();
    web = undefined;
    app.refresh();
    expect(
      app
        .listHosts()
        .filter((h) => h.auth.secretRef)
        .map((h) => h.name),
    ).toEqual(['apphost']);
    app.close();
  });
});
