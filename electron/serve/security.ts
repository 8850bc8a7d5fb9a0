// The window's security settings, in one plain module (no 'electron' import at run
// time) so that unit tests assert every one of them and a change cannot slip through.
// Follows Electron's security checklist.
import type { WebPreferences, BrowserWindowConstructorOptions } from 'electron';

/** The renderer is served from this custom protocol, never file://. */
export const APP_SCHEME = 'burrow';
export const APP_HOST = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY = `${APP_ORIGIN}/index.html`;

/** The privileges the app protocol is registered with (before 'ready'). */
export const APP_PROTOCOL_PRIVILEGES = {
  standard: true,
  secure: true,
  supportFetchAPI: true,
  corsEnabled: false,
  stream: false,
  bypassCSP: false,
  allowServiceWorkers: false,
} as const;

export function webPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
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
  };
}

export function windowOptions(preloadPath: string, opts: { show: boolean; icon?: string }): BrowserWindowConstructorOptions {
  return {
    width: 1100,
    height: 720,
    minWidth: 720,
    minHeight: 480,
    title: 'Burrow',
    show: opts.show,
    icon: opts.icon,
    backgroundColor: '#00000000',
    autoHideMenuBar: true,
    webPreferences: webPreferences(preloadPath),
  };
}

/**
 * The Content-Security-Policy, sent as a response header by the app protocol and
 * repeated as a meta tag in renderer/index.html. `devServer` is only for
 * `electron-vite dev` (hot reload from a loopback Vite server).
 */
export function contentSecurityPolicy(devServer?: string): string {
  const dev = devServer ? ` ${new URL(devServer).origin}` : '';
  const devWs = devServer ? ` ${new URL(devServer).origin.replace(/^http/, 'ws')}` : '';
  return [
    `default-src 'none'`,
    `script-src 'self'${dev}`,
    `style-src 'self'${dev}`,
    `img-src 'self' data:`,
    `font-src 'self'`,
    `connect-src 'self'${dev}${devWs}`,
    `base-uri 'none'`,
    `form-action 'none'`,
    `frame-ancestors 'none'`,
    `frame-src 'none'`,
    `object-src 'none'`,
    `worker-src 'none'`,
    `manifest-src 'none'`,
    `media-src 'none'`,
  ].join('; ');
}

export const CSP = contentSecurityPolicy();

/** The same policy for the <meta> tag in renderer/index.html (frame-ancestors only works as a header). */
export const CSP_META = CSP.split('; ')
  .filter((d) => !d.startsWith('frame-ancestors'))
  .join('; ');

/** Extra headers on every app protocol response. */
export function securityHeaders(devServer?: string): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(devServer),
    'X-Content-Type-Options': 'nosniff',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Referrer-Policy': 'no-referrer',
  };
}

function parse(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/** Navigation (will-navigate, will-redirect, will-frame-navigate) is never allowed. */
export function allowNavigation(_url: string): boolean {
  return false;
}

export type ExternalLinkDecision = { action: 'open-external'; url: string } | { action: 'deny'; reason: string };

/**
 * A link that wants a new window: only https URLs go to the system browser; all
 * else (http, file, javascript, custom schemes, credentials in the URL) is denied.
 * No new Electron window is ever opened.
 */
export function externalLink(url: string): ExternalLinkDecision {
  const u = parse(url);
  if (!u) return { action: 'deny', reason: 'not a valid URL' };
  if (u.protocol !== 'https:') return { action: 'deny', reason: `only https links open in the browser (got ${u.protocol})` };
  if (u.username || u.password) return { action: 'deny', reason: 'links with credentials are not opened' };
  return { action: 'open-external', url: u.toString() };
}

/** Permissions the app's own page may use: writing plain text to the clipboard ("Copy as ssh command"). */
const PAGE_PERMISSIONS = new Set(['clipboard-sanitized-write']);

/**
 * Every permission request (camera, notifications from the page, geolocation, reading
 * the clipboard, ...) is denied, except a clipboard write from the app's own origin.
 */
export function allowPermission(permission: string, origin: string | undefined, trusted: string[] = [APP_ORIGIN]): boolean {
  if (!PAGE_PERMISSIONS.has(permission) || !origin) return false;
  try {
    // URL.origin is "null" for custom schemes such as burrow:, so compare scheme and host.
    const u = new URL(origin);
    return trusted.includes(`${u.protocol}//${u.host}`);
  } catch {
    return false;
  }
}

/** The origins whose top frame may call the API: the app protocol (and the dev server in dev). */
export function trustedOrigins(devServer?: string): string[] {
  return devServer ? [APP_ORIGIN, new URL(devServer).origin] : [APP_ORIGIN];
}
