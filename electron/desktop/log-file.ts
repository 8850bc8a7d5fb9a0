// A rotating log file in the userData folder: a line per event, no secrets.
// burrow.log grows to maxBytes, then becomes burrow.log.1 (and .1 becomes .2, ...).
import fs from 'node:fs';
import path from 'node:path';
import type { LogEntry } from '../tunnels/types';

export interface LogFileOptions {
  dir: string;
  name?: string;
  maxBytes?: number;
  /** Rotated files kept besides the current one. */
  keep?: number;
}

const SECRET_PATTERNS: RegExp[] = [
  /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g,
  /\b(password|passphrase|passwd|secret|token|otp)(\s*[=:]\s*)\S+/gi,
];

/** Masks anything that looks like a key block or a "password=..." pair. */
export function redact(text: string): string {
  let out = text;
  for (const re of SECRET_PATTERNS)
    out = out.replace(re, (m, a?: string, b?: string) => (m.startsWith('-----') ? '[private key removed]' : `${a}${b}[redacted]`));
  return out;
}

export function formatLogLine(e: LogEntry): string {
  const parts = [new Date(e.time).toISOString(), e.level.toUpperCase().padEnd(5)];
  if (e.forwardId) parts.push(`[${e.forwardId}]`);
  if (e.code) parts.push(`${e.code}:`);
  parts.push(redact(e.message).replace(/[\r\n]+/g, ' '));
  return parts.join(' ') + '\n';
}

export class RotatingLogFile {
  readonly file: string;
  private size: number;
  private readonly maxBytes: number;
  private readonly keep: number;
  private broken = false;

  constructor(opts: LogFileOptions) {
    fs.mkdirSync(opts.dir, { recursive: true });
    this.file = path.join(opts.dir, opts.name ?? 'burrow.log');
    this.maxBytes = opts.maxBytes ?? 1024 * 1024;
    this.keep = opts.keep ?? 3;
    this.size = fs.existsSync(this.file) ? fs.statSync(this.file).size : 0;
  }

  write(entry: LogEntry): void {
    this.writeLine(formatLogLine(entry));
  }

  writeLine(line: string): void {
    if (this.broken) return;
    const bytes = Buffer.byteLength(line);
    try {
      if (this.size > 0 && this.size + bytes > this.maxBytes) this.rotate();
      fs.appendFileSync(this.file, line, { mode: 0o600 });
      this.size += bytes;
    } catch {
      // A full disk or a read-only folder must not take the tunnels down.
      this.broken = true;
    }
  }

  private rotate() {
    const name = (i: number) => (i === 0 ? this.file : `${this.file}.${i}`);
    if (this.keep <= 0) fs.rmSync(this.file, { force: true });
    else {
      fs.rmSync(name(this.keep), { force: true });
      for (let i = this.keep - 1; i >= 0; i--) if (fs.existsSync(name(i))) fs.renameSync(name(i), name(i + 1));
    }
    this.size = 0;
  }

  /** Every file, newest first. */
  files(): string[] {
    const out = [this.file];
    for (let i = 1; i <= this.keep; i++) out.push(`${this.file}.${i}`);
    return out.filter((f) => fs.existsSync(f));
  }
}
