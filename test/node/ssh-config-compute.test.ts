// computeHost looks only at the Host sections that can apply (ssh-config's own
// compute() walks and recompiles every section for every host, N² for an
// import of N hosts): the answers must stay exactly ssh-config's.
import { describe, expect, it } from 'vitest';
import SSHConfig from 'ssh-config';
import { computeHost } from '../../electron/sshconfig/ssh-config';

const text = `
Host bastion
  HostName 10.0.0.1
  User admin
Host web-? !web-9
  User deploy
  LocalForward 8080 localhost:80
Host *.internal db-*
  ProxyJump bastion
  IdentityFile ~/.ssh/internal
Host DB-MAIN
  Port 2222
Host a.b+c (x)|y
  User odd
Host *
  ServerAliveInterval 30
  IdentityFile ~/.ssh/id_ed25519
`;

describe('computeHost', () => {
  it("gives ssh-config's own answer for every kind of pattern", () => {
    const config = SSHConfig.parse(text);
    for (const host of ['bastion', 'web-1', 'web-9', 'web-10', 'x.internal', 'db-main', 'DB-MAIN', 'a.b+c', '(x)|y', 'axb+c', 'nowhere']) {
      const expected = config.compute({ Host: host } as never, { ignoreCase: true } as never) as Record<string, unknown>;
      const lower = Object.fromEntries(Object.entries(expected).map(([k, v]) => [k.toLowerCase(), v]));
      expect(computeHost(config, host), host).toEqual(lower);
    }
  });
});
