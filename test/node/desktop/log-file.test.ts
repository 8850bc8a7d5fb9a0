import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RotatingLogFile, formatLogLine, redact } from '../../../electron/desktop/log-file';

describe('rotating log file', () => {
  it('writes one line per event and rotates, keeping N old files', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'burrow-log-'));
    try {
      const log = new RotatingLogFile({ dir, maxBytes: 200, keep: 2 });
      for (let i = 0; i < 20; i++) log.write({ time: Date.UTC(2025, 0, 1), level: 'info', forwardId: 'pop3', message: `event ${i}\nsecond line` });
      const files = log.files();
      expect(files.map((f) => path.basename(f))).toEqual(['burrow.log', 'burrow.log.1', 'burrow.log.2']);
      for (const f of files) {
        const text = readFileSync(f, 'utf8');
        expect(Buffer.byteLength(text)).toBeLessThanOrEqual(200);
        for (const line of text.trim().split('\n')) expect(line).toMatch(/^2025-01-01T00:00:00.000Z INFO {2}\[pop3\] event \d+ second line$/);
      }
      expect(readFileSync(files[0], 'utf8')).toContain('event 19');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('never writes secrets', () => {
    expect(redact('auth with password=hunter2 failed')).toBe('auth with password=[redacted] failed');
    expect(redact('passphrase: s3cret')).toBe('passphrase: [redacted]');
    expect(redact('key -----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY----- end')).toBe('key [private key removed] end');
    const line = formatLogLine({ time: 0, level: 'error', code: 'AUTH_FAILED', message: 'token=abc' });
    expect(line).toBe('1970-01-01T00:00:00.000Z ERROR AUTH_FAILED: token=[redacted]\n');
  });
});
