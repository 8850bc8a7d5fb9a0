// burrow web's access decision: Host, Origin and the WebSocket's token, as pure functions.
import { describe, expect, it } from 'vitest';
import { NO_SIGN_IN, decide, hostAllowed, originAllowed, signInProblem, tokenMatches } from '../../../electron/web/guard';

const PORT = 43210;
const TOKEN = 'secret-token-abc';
const base = { method: 'GET', host: `127.0.0.1:${PORT}` };

describe('burrow web access checks', () => {
  it('accepts only this server in the Host header (DNS rebinding)', () => {
    expect(hostAllowed(`127.0.0.1:${PORT}`, PORT)).toBe(true);
    expect(hostAllowed(`localhost:${PORT}`, PORT)).toBe(true);
    expect(hostAllowed(`LOCALHOST:${PORT}`, PORT)).toBe(true);
    for (const bad of [
      undefined,
      '',
      '127.0.0.1',
      `127.0.0.1:${PORT + 1}`,
      `evil.example:${PORT}`,
      `127.0.0.1.nip.io:${PORT}`,
      `[::1]:${PORT}`,
      `0.0.0.0:${PORT}`,
    ]) {
      expect(hostAllowed(bad, PORT), String(bad)).toBe(false);
    }
  });

  it('accepts only its own origin', () => {
    expect(originAllowed(`http://127.0.0.1:${PORT}`, PORT)).toBe(true);
    expect(originAllowed(`http://localhost:${PORT}`, PORT)).toBe(true);
    for (const bad of [
      undefined,
      'null',
      `https://127.0.0.1:${PORT}`,
      `http://127.0.0.1:${PORT + 1}`,
      'http://evil.example',
      `http://127.0.0.1:${PORT}.evil.example`,
    ]) {
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

  it('serves the page (it holds no data) to its own Host without a token, and only by GET', () => {
    expect(decide(base, PORT)).toEqual({ allow: true });
    expect(decide({ ...base, host: `localhost:${PORT}` }, PORT)).toEqual({ allow: true });
    expect(decide({ ...base, method: 'HEAD' }, PORT)).toEqual({ allow: true });
    expect(decide({ ...base, method: 'POST' }, PORT)).toMatchObject({ allow: false, status: 405 });
  });

  it('refuses another Host (DNS rebinding)', () => {
    expect(decide({ ...base, host: `evil.example:${PORT}` }, PORT)).toMatchObject({
      allow: false,
      status: 403,
      reason: `Host 'evil.example:${PORT}' is not this server; open http://127.0.0.1:${PORT}/.`,
    });
    expect(decide({ ...base, host: `evil.example:${PORT}`, upgrade: true, origin: `http://evil.example:${PORT}` }, PORT)).toMatchObject({
      allow: false,
      status: 403,
    });
  });

  it('refuses requests from another origin (CSRF)', () => {
    expect(decide({ ...base, origin: 'http://evil.example' }, PORT)).toMatchObject({
      allow: false,
      status: 403,
      reason: "Requests from origin 'http://evil.example' are not accepted.",
    });
    expect(decide({ ...base, origin: `http://127.0.0.1:${PORT + 1}` }, PORT)).toMatchObject({ allow: false, status: 403 });
    expect(decide({ ...base, origin: `http://127.0.0.1:${PORT}` }, PORT)).toEqual({ allow: true });
  });

  it('lets a WebSocket upgrade through only with its own Origin', () => {
    const ws = { ...base, upgrade: true };
    expect(decide({ ...ws, origin: `http://127.0.0.1:${PORT}` }, PORT)).toEqual({ allow: true });
    expect(decide(ws, PORT)).toMatchObject({ allow: false, status: 403, reason: "Requests from origin '(none)' are not accepted." });
    expect(decide({ ...ws, origin: `http://localhost:${PORT + 1}` }, PORT)).toMatchObject({ allow: false, status: 403 });
  });

  it('lets a WebSocket in only when its first message is a hello with the token, and says what to do otherwise', () => {
    expect(signInProblem({ type: 'hello', token: TOKEN }, TOKEN)).toBeNull();
    expect(signInProblem({ type: 'hello', token: 'wrong' }, TOKEN)).toBe(
      'The access token is wrong: open the URL that burrow web printed (it ends in #token=...).',
    );
    expect(signInProblem({ type: 'hello', token: '' }, TOKEN)).toMatch(/^The access token is wrong/);
    expect(signInProblem({ type: 'invoke', id: 1, channel: 'state.get', input: {} }, TOKEN)).toBe(
      'Send the access token first: open the URL that burrow web printed (it ends in #token=...).',
    );
    // Close reasons are at most 123 bytes.
    for (const reason of [signInProblem({ type: 'hello', token: 'x' }, TOKEN), signInProblem({ type: 'visibility', visible: true }, TOKEN), NO_SIGN_IN]) {
      expect(Buffer.byteLength(reason ?? '')).toBeLessThanOrEqual(123);
    }
  });
});
