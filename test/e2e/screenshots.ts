// Takes the README's screenshots (docs/screenshots/*.png), light and dark, of
// the real window with real forwards through a real sshd:
//   npm run screenshots
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { cleanup, freePort, keygen, startSshd } from '../support/sshd';
import { echoServer, serve } from '../support/tcp';
import { dispatchOk, openApp, sshdHostInput, startWorld } from './harness';
import { row, waitForText } from './ui-helpers';

const OUT = join(import.meta.dirname, '..', '..', 'docs', 'screenshots');
mkdirSync(OUT, { recursive: true });

const sshd = await startSshd();
const echo = await echoServer();
const squatter = await serve(() => undefined);
const world = await startWorld();
const call = async (channel: string, input: unknown) => (await dispatchOk(world, channel, input)) as { forward: { listen: { port: number } } };
const host = (name: string, over: Record<string, unknown> = {}) => sshdHostInput(sshd, name, over);

try {
  await call('host.add', { host: host('mail') });
  await call('host.add', { host: host('db', { jump: ['mail'] }) });
  // Another name for the same server: a session of its own, and a host key never seen.
  await call('host.add', { host: host('build', { hostname: 'localhost', knownHostsFile: join(world.dir, 'new_known_hosts') }) });
  writeFileSync(join(world.dir, 'new_known_hosts'), '');
  // A host whose key changed: known_hosts remembers another key for it (line 2).
  const impostor = readFileSync(`${keygen(join(world.dir, 'impostor_ed25519'))}.pub`, 'utf8')
    .split(' ')
    .slice(0, 2)
    .join(' ');
  writeFileSync(join(world.dir, 'moved_known_hosts'), `# the old server\n[127.0.0.1]:${sshd.port} ${impostor}\n`);
  await call('host.add', { host: host('legacy', { knownHostsFile: join(world.dir, 'moved_known_hosts') }) });
  // For the host form: a jump host, a stored password, tuned algorithms.
  await call('host.add', {
    host: host('backup', {
      auth: { method: 'password' },
      jump: ['mail'],
      algorithms: { kex: ['curve25519-sha256', 'curve25519-sha256@libssh.org'], mac: ['hmac-sha2-256-etm@openssh.com', 'hmac-sha2-512-etm@openssh.com'] },
    }),
    secret: 'not-a-real-password',
  });
  const local = (name: string, port: number, dest: number, h: string, group?: string, destinationHost = '127.0.0.1') => ({
    forward: { name, kind: 'local', listen: { host: '127.0.0.1', port }, target: { host: destinationHost, port: dest }, host: h, group },
  });
  const pop3 = await call('forward.add', { ...local('pop3-mail', await freePort(), echo.port, 'mail', 'mail'), start: true });
  await call('forward.add', { ...local('imap-mail', await freePort(), 143, 'mail', 'mail', 'localhost') });
  await call('forward.add', { ...local('smtp-mail', await freePort(), 587, 'mail', 'mail', 'localhost') });
  const pg = await call('forward.add', { ...local('postgres-prod', await freePort(), echo.port, 'db', 'databases'), start: true });
  await call('forward.add', { ...local('redis-cache', squatter.port, 6379, 'db', 'databases', 'localhost') });
  await call('forward.start', { name: 'redis-cache' }).catch(() => undefined);
  await call('forward.add', {
    forward: { name: 'socks-office', kind: 'dynamic', listen: { host: '127.0.0.1', port: await freePort() }, host: 'mail' },
    start: true,
  });
  const broken = await call('forward.add', { ...local('grafana', await freePort(), await freePort(), 'mail', 'monitoring'), start: true });
  await call('forward.add', {
    forward: {
      name: 'webhook-dev',
      kind: 'remote',
      listen: { host: 'localhost', port: 0 },
      target: { host: '127.0.0.1', port: 3000 },
      host: 'build',
      group: 'monitoring',
    },
  });
  net.connect(broken.forward.listen.port, '127.0.0.1').on('error', () => undefined);

  // Steady traffic, with connections that stay open.
  const keep: net.Socket[] = [];
  for (const p of [pop3.forward.listen.port, pop3.forward.listen.port, pg.forward.listen.port]) {
    const s = net.connect(p, '127.0.0.1');
    s.on('error', () => undefined);
    s.on('data', () => undefined);
    keep.push(s);
  }
  let tick = 0;
  const traffic = setInterval(() => {
    tick++;
    keep[0].write(Buffer.alloc(20_000 + 15_000 * Math.sin(tick / 3) ** 2));
    keep[2].write(Buffer.alloc(tick % 5 === 0 ? 60_000 : 4000));
  }, 200);

  async function shots(scheme: 'light' | 'dark') {
    const { context, page } = await openApp(world, { colorScheme: scheme, viewport: { width: 1360, height: 820 } });
    await row(page, 'pop3-mail').click();
    await waitForText(row(page, 'grafana').locator('.row-state'), /refused/i);
    await page.waitForTimeout(9000);
    await snap(page, `main-${scheme}`);

    await page.getByRole('button', { name: 'Add forward', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Add forward' });
    await dialog.getByLabel('Name', { exact: true }).fill('pop3-backup');
    await dialog.getByLabel('SSH host', { exact: true }).selectOption('mail');
    await dialog.getByLabel('Bind address', { exact: true }).fill('0.0.0.0');
    await dialog.getByLabel('Local port', { exact: true }).fill('110');
    await dialog.getByLabel('Destination host', { exact: true }).fill('localhost');
    await dialog.getByLabel('Destination port', { exact: true }).fill('110');
    await dialog.getByText(/administrator rights/).waitFor();
    await snap(page, `forward-form-${scheme}`);
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    await page.getByRole('button', { name: 'Presets', exact: true }).click();
    await snap(page, `presets-${scheme}`);
    await page.keyboard.press('Escape');

    await call('forward.add', { ...local(`build-${scheme}`, await freePort(), echo.port, 'build', 'monitoring') });
    await row(page, `build-${scheme}`).waitFor();
    await page.getByRole('switch', { name: `build-${scheme}`, exact: true }).click();
    await page.getByRole('alertdialog', { name: 'Unknown host key' }).waitFor();
    await snap(page, `host-key-${scheme}`);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await call('forward.remove', { name: `build-${scheme}` });

    await page.getByRole('button', { name: 'Hosts', exact: true }).click();
    await page.getByRole('button', { name: 'Edit host backup' }).click();
    await page.getByRole('form', { name: 'Edit host backup' }).waitFor();
    await snap(page, `host-form-${scheme}`);
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });

    // Started from outside the window (as the tray does): the warning comes up by itself.
    await call('forward.add', { ...local(`legacy-${scheme}`, await freePort(), echo.port, 'legacy', 'monitoring') });
    await call('forward.start', { name: `legacy-${scheme}` }).catch(() => undefined);
    await page.getByRole('alertdialog', { name: /host key of .* has changed/ }).waitFor();
    await snap(page, `host-key-changed-${scheme}`);
    await page.getByRole('alertdialog').getByRole('button', { name: 'Close', exact: true }).last().click();
    await call('forward.remove', { name: `legacy-${scheme}` });
    await context.close();
  }

  async function snap(page: Page, name: string) {
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(OUT, `${name}.png`) });
    console.log(`wrote docs/screenshots/${name}.png`);
  }

  await shots('light');
  await shots('dark');
  clearInterval(traffic);
  keep.forEach((s) => s.destroy());
} finally {
  await world.close();
  await squatter.close();
  await echo.close();
  await cleanup(sshd);
}
