// burrow web's access decision: token, Host and Origin, as pure functions.
import { describe, expect, it } from 'vitest';
import { cookieName, decide, hostAllowed, originAllowed, readCookie, tokenMatches } from '../../electron/web/guard';

const PORT = 43210;
const TOKEN = 'secret-token-abc';
const cookie = `${cookieName(PORT)}=${TOKEN}`;
const base = { method: 'GET', url: '/', host: `127.0.0.1:${PORT}` };

describe('burrow web access checks', () => {
  it('accepts only this server in the Host header (DNS rebinding)', () => {
    expect(hostAllowed(`127.0.0.1:${PORT}`, PORT)).toBe(true);
    expect(hostAllowed(`localhost:${PORT}`, PORT)).toBe(true);
    expect(hostAllowed(`LOCALHOST:${PORT}`, PORT)).toBe(true);
    for (const bad of [undefined, '', '127.0.0.1', `127.0.0.1:${PORT + 1}`, `evil.example:${PORT}`, `127.0.0.1.nip.io:${PORT}`, `[::1]:${PORT}`, `0.0.0.0:${PORT}`]) {
      expect(hostAllowed(bad, PORT), String(bad)).toBe(false);
    }
  });

  it('accepts only its own origin', () => {
    expect(originAllowed(`http://127.0.0.1:${PORT}`, PORT)).toBe(true);
    expect(originAllowed(`http://localhost:${PORT}`, PORT)).toBe(true);
    for (const bad of [undefined, 'null', `https://127.0.0.1:${PORT}`, `http://127.0.0.1:${PORT + 1}`, 'http://evil.example', `http://127.0.0.1:${PORT}.evil.example`]) {
      expect(originAllowed(bad, PORT), String(bad)).toBe(false);
    }
  });

  it('compares tokens exactly', () => {
    expect(tokenMatches(TOKEN, TOKEN)).toBe(true);
    expect(tokenMatches(TOKEN.slice(0, -1), TOKEN)).toBe(false);
    expect(tokenMatches(TOKEN + 'x', TOKEN)).toBe(false);
    expect(tokenMatches('', TOKEN)).toBe(false);
    expect(tokenMatches(undefined, TOKEN)).toBe(false);
  });

  it('reads the cookie named after the port', () => {
    expect(readCookie(`a=b; ${cookie}; c=d`, cookieName(PORT))).toBe(TOKEN);
    expect(readCookie(`${cookieName(PORT + 1)}=${TOKEN}`, cookieName(PORT))).toBeUndefined();
    expect(readCookie(undefined, cookieName(PORT))).toBeUndefined();
  });

  it('serves nothing without the token', () => {
    const d = decide(base, PORT, TOKEN);
    expect(d).toMatchObject({ allow: false, status: 401 });
    expect(decide({ ...base, url: '/assets/index.js' }, PORT, TOKEN)).toMatchObject({ allow: false, status: 401 });
    expect(decide({ ...base, url: '/?token=wrong' }, PORT, TOKEN)).toMatchObject({ allow: false, status: 401, reason: expect.stringMatching(/wrong/) });
  });

  it('swaps the query token for an HttpOnly SameSite=Strict cookie and a clean URL', () => {
    const d = decide({ ...base, url: `/?token=${TOKEN}` }, PORT, TOKEN);
    expect(d).toEqual({ allow: true, setCookie: expect.stringContaining(cookie), redirectTo: '/' });
    if (!d.allow) throw new Error('refused');
    expect(d.setCookie).toMatch(/HttpOnly/);
    expect(d.setCookie).toMatch(/SameSite=Strict/);
    expect(decide({ ...base, cookie }, PORT, TOKEN)).toEqual({ allow: true });
  });

  it('refuses a right token behind a wrong Host', () => {
    expect(decide({ ...base, host: `evil.example:${PORT}`, cookie }, PORT, TOKEN)).toMatchObject({ allow: false, status: 403 });
    expect(decide({ ...base, host: `evil.example:${PORT}`, url: `/?token=${TOKEN}` }, PORT, TOKEN)).toMatchObject({ allow: false, status: 403 });
  });

  it('refuses cross-origin requests even with the cookie (CSRF)', () => {
    expect(decide({ ...base, cookie, origin: 'http://evil.example' }, PORT, TOKEN)).toMatchObject({ allow: false, status: 403 });
    expect(decide({ ...base, cookie, origin: `http://127.0.0.1:${PORT}` }, PORT, TOKEN)).toEqual({ allow: true });
    expect(decide({ ...base, cookie, method: 'POST' }, PORT, TOKEN)).toMatchObject({ allow: false, status: 405 });
  });

  it('lets a WebSocket in only with its own Origin and the cookie (not the query token)', () => {
    const ws = { ...base, url: '/ws', upgrade: true };
    expect(decide({ ...ws, cookie, origin: `http://127.0.0.1:${PORT}` }, PORT, TOKEN)).toEqual({ allow: true });
    expect(decide({ ...ws, cookie }, PORT, TOKEN)).toMatchObject({ allow: false, status: 403 });
    expect(decide({ ...ws, cookie, origin: 'http://evil.example' }, PORT, TOKEN)).toMatchObject({ allow: false, status: 403 });
    expect(decide({ ...ws, origin: `http://127.0.0.1:${PORT}` }, PORT, TOKEN)).toMatchObject({ allow: false, status: 401 });
    expect(decide({ ...ws, url: `/ws?token=${TOKEN}`, origin: `http://127.0.0.1:${PORT}` }, PORT, TOKEN)).toMatchObject({ allow: false, status: 401 });
  });
});
