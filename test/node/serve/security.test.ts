import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  APP_ORIGIN,
  APP_PROTOCOL_PRIVILEGES,
  CSP,
  CSP_META,
  allowNavigation,
  allowPermission,
  contentSecurityPolicy,
  externalLink,
  securityHeaders,
  trustedOrigins,
  webPreferences,
  windowOptions,
} from '../../../electron/serve/security';
import { resolveAppRequest } from '../../../electron/serve/app-protocol';

describe('window security settings', () => {
  it('isolates and sandboxes the renderer, with no Node and no web-security override', () => {
    const wp = webPreferences('/x/preload.cjs');
    expect(wp).toEqual({
      preload: '/x/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      devTools: true,
    });
    expect(wp).not.toHaveProperty('enableBlinkFeatures');
    expect(wp).not.toHaveProperty('additionalArguments');
  });

  it('window options use exactly these web preferences', () => {
    const o = windowOptions('/p.cjs', { show: false });
    expect(o.webPreferences).toEqual(webPreferences('/p.cjs'));
    expect(o.show).toBe(false);
  });

  it('the app protocol is standard and secure but bypasses nothing', () => {
    expect(APP_ORIGIN).toBe('burrow://app');
    expect(APP_PROTOCOL_PRIVILEGES).toMatchObject({ standard: true, secure: true, bypassCSP: false, allowServiceWorkers: false, corsEnabled: false });
  });

  it('the CSP allows only the app itself and no inline or eval script', () => {
    const d = Object.fromEntries(CSP.split('; ').map((x) => [x.split(' ')[0], x.split(' ').slice(1).join(' ')]));
    expect(d['default-src']).toBe("'none'");
    expect(d['script-src']).toBe("'self'");
    expect(d['style-src']).toBe("'self'");
    expect(d['connect-src']).toBe("'self'");
    expect(d['object-src']).toBe("'none'");
    expect(d['base-uri']).toBe("'none'");
    expect(d['frame-ancestors']).toBe("'none'");
    expect(CSP).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    expect(securityHeaders()['Content-Security-Policy']).toBe(CSP);
    expect(securityHeaders()['X-Content-Type-Options']).toBe('nosniff');
  });

  it('the dev-server CSP only adds that loopback origin', () => {
    const dev = contentSecurityPolicy('http://localhost:5173/');
    expect(dev).toContain("script-src 'self' http://localhost:5173");
    expect(dev).toContain('ws://localhost:5173');
    expect(trustedOrigins()).toEqual(['burrow://app']);
    expect(trustedOrigins('http://localhost:5173')).toEqual(['burrow://app', 'http://localhost:5173']);
  });

  it('renderer/index.html carries the same policy as a meta tag', () => {
    const html = readFileSync(path.resolve(import.meta.dirname, '../../../renderer/index.html'), 'utf8');
    const m = html.match(/http-equiv="Content-Security-Policy"\s+content="([^"]+)"/);
    expect(m?.[1]).toBe(CSP_META);
    expect(CSP_META).not.toContain('frame-ancestors');
  });

  it('blocks every navigation and every permission', () => {
    for (const url of ['https://example.com', 'burrow://app/other.html', 'file:///etc/passwd', 'javascript:alert(1)']) expect(allowNavigation(url)).toBe(false);
    for (const p of ['notifications', 'media', 'geolocation', 'clipboard-read', 'openExternal']) expect(allowPermission(p, 'burrow://app')).toBe(false);
  });

  it('lets only the app itself write text to the clipboard ("Copy as ssh command")', () => {
    expect(allowPermission('clipboard-sanitized-write', 'burrow://app')).toBe(true);
    expect(allowPermission('clipboard-sanitized-write', 'burrow://app/index.html')).toBe(true);
    for (const origin of ['https://example.com', 'file:///etc/passwd', 'burrow://other', undefined, 'not a url']) {
      expect(allowPermission('clipboard-sanitized-write', origin), String(origin)).toBe(false);
    }
    expect(allowPermission('clipboard-sanitized-write', 'http://localhost:5173/', trustedOrigins('http://localhost:5173'))).toBe(true);
    expect(allowPermission('clipboard-read', 'burrow://app', trustedOrigins('http://localhost:5173'))).toBe(false);
  });

  it('sends only https links to the system browser', () => {
    expect(externalLink('https://github.com/burrow')).toEqual({ action: 'open-external', url: 'https://github.com/burrow' });
    for (const url of [
      'http://example.com',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'smb://host/share',
      'burrow://app/x',
      'not a url',
      'https://user:pw@example.com/',
    ]) {
      expect(externalLink(url).action, url).toBe('deny');
    }
  });
});

describe('app protocol file mapping', () => {
  const root = '/srv/renderer';
  it('serves files under the renderer folder with their type', () => {
    expect(resolveAppRequest('burrow://app/', root)).toEqual({ status: 200, file: '/srv/renderer/index.html', mime: 'text/html; charset=utf-8' });
    expect(resolveAppRequest('burrow://app/assets/index-abc.js?x=1', root)).toMatchObject({
      status: 200,
      file: '/srv/renderer/assets/index-abc.js',
      mime: 'text/javascript; charset=utf-8',
    });
  });
  it('never escapes the folder and refuses other hosts', () => {
    expect(resolveAppRequest('burrow://app/../../etc/passwd', root)).toMatchObject({ status: 200, file: '/srv/renderer/etc/passwd' });
    expect(resolveAppRequest('burrow://app/%2e%2e/%2e%2e/etc/passwd', root)).toMatchObject({ status: 200, file: '/srv/renderer/etc/passwd' });
    expect(resolveAppRequest('burrow://app/..%2f..%2fetc%2fpasswd', root)).toMatchObject({ status: 200, file: '/srv/renderer/etc/passwd' });
    expect(resolveAppRequest('burrow://app/..%5c..%5cetc', root).status).toBe(400);
    expect(resolveAppRequest('burrow://evil/index.html', root).status).toBe(403);
    expect(resolveAppRequest('burrow://app/%E0%A4%A', root).status).toBe(400);
    expect(resolveAppRequest('burrow://app/a%00b', root).status).toBe(400);
  });
});
