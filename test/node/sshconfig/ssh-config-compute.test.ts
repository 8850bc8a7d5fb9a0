// computeHost skips the Host blocks that cannot match (plain names that are
// not the host) before ssh-config's compute, which builds a RegExp per pattern
// per block: that made importing a config of 1,000 hosts take 20 s. The answer
// must be exactly the library's on the whole config.
import { describe, expect, it } from 'vitest';
import { computeHost, parseSshConfigText } from '../../../electron/sshconfig/ssh-config';

const TEXT = `
Port 2200
Host a,b
  User ab
Host B c
  User bc
  IdentityFile ~/.ssh/b
Host !a *
  ServerAliveInterval 5
Host a? x*
  HostName wild
Host A
  Port 22
Host c
  IdentityFile ~/.ssh/c
  LocalForward 1100 mail:110
Host *
  IdentityFile ~/.ssh/all
`;

describe('computeHost', () => {
  it('gives what ssh-config computes on the whole config, for every kind of pattern', () => {
    const { config } = parseSshConfigText(TEXT);
    for (const host of ['a', 'A', 'b', 'B', 'c', 'ab', 'x1', 'zz', 'constructor']) {
      const whole = config.compute({ Host: host } as never, { ignoreCase: true } as never) as Record<string, unknown>;
      const expected = Object.fromEntries(Object.entries(whole).map(([k, v]) => [k.toLowerCase(), v]));
      expect(computeHost(config, host), host).toEqual(expected);
    }
  });
});
