import { describe, expect, it } from 'vitest';
import { formatForwardSpec, parseForwardSpec } from '../../../shared/forward-spec';
import { BurrowError } from '../../../shared/errors';

describe('forward specs (OpenSSH syntax)', () => {
  it('parses the forms of -L', () => {
    expect(parseForwardSpec('local', '1100:mail.example.com:110')).toEqual({
      kind: 'local',
      listen: { host: '127.0.0.1', port: 1100 },
      target: { host: 'mail.example.com', port: 110 },
    });
    expect(parseForwardSpec('local', '0.0.0.0:1100:mail:110').listen).toEqual({ host: '0.0.0.0', port: 1100 });
    expect(parseForwardSpec('local', '*:1100:mail:110').listen).toEqual({ host: '', port: 1100 });
    expect(parseForwardSpec('local', '[::1]:1100:[2001:db8::1]:110')).toMatchObject({
      listen: { host: '::1', port: 1100 },
      target: { host: '2001:db8::1', port: 110 },
    });
    expect(parseForwardSpec('local', '5432:/run/postgresql/.s.PGSQL.5432').target).toEqual({ path: '/run/postgresql/.s.PGSQL.5432' });
    expect(parseForwardSpec('local', '/tmp/local.sock:db:5432')).toMatchObject({ listen: { path: '/tmp/local.sock' }, target: { host: 'db', port: 5432 } });
  });

  it('parses -R and -D', () => {
    expect(parseForwardSpec('remote', '0:localhost:80')).toMatchObject({ listen: { host: 'localhost', port: 0 }, target: { host: 'localhost', port: 80 } });
    expect(parseForwardSpec('remote', '8080:/tmp/app.sock').target).toEqual({ path: '/tmp/app.sock' });
    expect(parseForwardSpec('remote', '/tmp/remote.sock:localhost:80').listen).toEqual({ path: '/tmp/remote.sock' });
    expect(parseForwardSpec('dynamic', '1080')).toEqual({ kind: 'dynamic', listen: { host: '127.0.0.1', port: 1080 } });
    expect(parseForwardSpec('dynamic', '0.0.0.0:1080').listen).toEqual({ host: '0.0.0.0', port: 1080 });
  });

  it('formats back to what it parsed', () => {
    for (const [kind, text] of [
      ['local', '127.0.0.1:1100:mail.example.com:110'],
      ['local', '[::1]:1100:[2001:db8::1]:110'],
      ['remote', 'localhost:0:localhost:80'],
      ['dynamic', '127.0.0.1:1080'],
      ['local', '/tmp/a.sock:/tmp/b.sock'],
    ] as const) {
      expect(formatForwardSpec(parseForwardSpec(kind, text))).toBe(text);
    }
  });

  const bad: Array<[Parameters<typeof parseForwardSpec>[0], string, string]> = [
    [
      'local',
      '1100',
      '-L 1100: missing the destination host and port. Expected [bind_address:]port:host:hostport, [bind_address:]port:remote_socket or local_socket:host:hostport.',
    ],
    ['local', 'abc:mail:110', "Local port 'abc' is not a number; use a port between 1 and 65535."],
    ['local', '0:mail:110', 'Local port must be between 1 and 65535 (got 0).'],
    ['local', '1100:mail:99999', 'Destination port must be between 1 and 65535 (got 99999).'],
    [
      'local',
      'a:b:1100:mail:110',
      '-L a:b:1100:mail:110: too many fields before the destination. Expected [bind_address:]port:host:hostport, [bind_address:]port:remote_socket or local_socket:host:hostport.',
    ],
    [
      'local',
      '[::1:1100:mail:110',
      '-L [::1:1100:mail:110: malformed forward specification. Expected [bind_address:]port:host:hostport, [bind_address:]port:remote_socket or local_socket:host:hostport.',
    ],
    ['remote', '70000:localhost:80', 'Remote port must be between 0 and 65535 (got 70000).'],
    ['dynamic', 'host:1080:x', '-D host:1080:x: a SOCKS forward takes only an optional bind address and a port. Expected [bind_address:]port.'],
    ['dynamic', '/tmp/socks.sock', '-D /tmp/socks.sock: a SOCKS forward listens on a TCP port, not a socket path. Expected [bind_address:]port.'],
  ];
  for (const [kind, text, message] of bad) {
    it(`refuses ${kind} '${text}' with a clear message`, () => {
      let err: unknown;
      try {
        parseForwardSpec(kind, text);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(BurrowError);
      expect((err as BurrowError).message).toBe(message);
    });
  }
});
