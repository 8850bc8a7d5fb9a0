// One table classifies every error code (shared/errors.ts ERROR_INFO); what the
// engine, the command line and the listeners decide from it is pinned here.
import { describe, expect, it } from 'vitest';
import { BurrowError, ERROR_INFO, PERMANENT_CODES, type ErrorCode } from '../../../shared/errors';
import { exitCodeFor } from '../../../electron/cli/exit-codes';

const codes = Object.keys(ERROR_INFO) as ErrorCode[];

describe('ERROR_INFO', () => {
  it('reconnects give up on exactly these codes', () => {
    expect([...PERMANENT_CODES].sort()).toEqual(
      [
        'KEY_UNREADABLE',
        'KEY_UNSUPPORTED',
        'KEY_PASSPHRASE',
        'AUTH_FAILED',
        'HOSTKEY_CHANGED',
        'HOSTKEY_REVOKED',
        'HOSTKEY_UNKNOWN',
        'HOSTKEY_REJECTED',
        'PORT_IN_USE',
        'PORT_PRIVILEGED',
        'BIND_FAILED',
      ].sort(),
    );
  });

  it('bad input exits 2 (nothing was started), everything else 1', () => {
    const usage = codes.filter((c) => exitCodeFor(new BurrowError(c, 'x')) === 2).sort();
    expect(usage).toEqual(['KEY_UNREADABLE', 'KEY_UNSUPPORTED', 'OPTION_INVALID', 'OPTION_UNKNOWN', 'PORT_RANGE', 'SPEC_INVALID', 'USAGE', 'VALIDATION']);
    expect(exitCodeFor(new Error('not ours'))).toBe(1);
  });

  it('destination codes are the DEST_ ones; session codes the login, host key and SSH ones', () => {
    expect(codes.filter((c) => ERROR_INFO[c].stage === 'destination')).toEqual(codes.filter((c) => c.startsWith('DEST_')));
    expect(codes.filter((c) => ERROR_INFO[c].stage === 'session')).toEqual(codes.filter((c) => /^(SSH_|AUTH_|HOSTKEY_|KEY_)/.test(c)));
  });
});
