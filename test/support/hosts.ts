// HostConfig for the test sshd, with the defaults a person would get.
import type { HostConfig } from '../../electron/tunnels/types';
import type { Sshd } from './sshd';

export function hostFor(s: Sshd, over: Partial<HostConfig> = {}): HostConfig {
  return {
    alias: 'test-sshd',
    hostname: s.host,
    port: s.port,
    user: s.user,
    identityFiles: [s.userKey],
    identitiesOnly: true,
    agent: null,
    knownHostsFiles: [s.knownHosts],
    strictHostKeyChecking: 'yes',
    serverAliveInterval: 15,
    serverAliveCountMax: 3,
    connectTimeout: 10,
    batchMode: true,
    jump: [],
    ...over,
  };
}
