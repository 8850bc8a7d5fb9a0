// HostConfig and the saved-host input for the test sshd, with the defaults a person would get.
import type { HostConfig } from '../../electron/tunnels/types';
import type { HostInput } from '../../shared/model';
import type { Sshd } from './sshd';

/** A loopback host with strict host key checking, no agent and BatchMode: tests say what they need. */
export function testHost(over: Partial<HostConfig> & Pick<HostConfig, 'port' | 'knownHostsFiles'>): HostConfig {
  return {
    alias: 'test-sshd',
    hostname: '127.0.0.1',
    user: 'tester',
    identityFiles: [],
    identitiesOnly: true,
    agent: null,
    strictHostKeyChecking: 'yes',
    serverAliveInterval: 15,
    serverAliveCountMax: 3,
    connectTimeout: 10,
    batchMode: true,
    jump: [],
    ...over,
  };
}

export function hostFor(s: Sshd, over: Partial<HostConfig> = {}): HostConfig {
  return testHost({ hostname: s.host, port: s.port, user: s.user, identityFiles: [s.userKey], knownHostsFiles: [s.knownHosts], ...over });
}

/** A saved host (the contract's input) for the test sshd, authenticating with its user key. */
export function sshdHostInput(sshd: Sshd, name: string, over: Partial<HostInput> = {}): HostInput {
  return {
    name,
    hostname: '127.0.0.1',
    port: sshd.port,
    user: sshd.user,
    auth: { method: 'key', keyPath: sshd.userKey, identitiesOnly: true },
    knownHostsFile: sshd.knownHosts,
    ...over,
  };
}
