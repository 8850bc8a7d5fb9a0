// Maps burrow://app/<path> requests to files of the built renderer. Plain Node,
// so that path handling (no escape from the renderer folder) is unit-tested.
import path from 'node:path';
import { APP_HOST, APP_SCHEME } from './security';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

export type AppRequest = { status: 200; file: string; mime: string } | { status: 400 | 403 | 404; reason: string };

export function mimeType(file: string): string {
  return MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

export function resolveAppRequest(url: string, rootDir: string): AppRequest {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { status: 400, reason: 'not a URL' };
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return { status: 403, reason: `only ${APP_SCHEME}://${APP_HOST}/ is served` };
  let rel: string;
  try {
    rel = decodeURIComponent(u.pathname);
  } catch {
    return { status: 400, reason: 'bad escape in path' };
  }
  if (rel.includes('\0')) return { status: 400, reason: 'NUL in path' };
  if (rel.includes('\\')) return { status: 400, reason: 'backslash in path' };
  if (rel === '/' || rel === '') rel = '/index.html';
  const root = path.resolve(rootDir);
  const file = path.resolve(root, '.' + path.posix.normalize(rel));
  if (file !== root && !file.startsWith(root + path.sep)) return { status: 403, reason: 'outside the renderer folder' };
  return { status: 200, file, mime: mimeType(file) };
}
