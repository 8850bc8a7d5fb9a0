// The two contestants, set up the same way: Burrow's engine in its own process
// and OpenSSH's ssh, each with the same forwards to the same destinations.
import type { ForwardKind, ForwardSpec } from '../../shared/forward-spec';
import type { HostConfig } from '../../electron/tunnels/types';
import { DEFAULTS } from '../../electron/sshconfig/host-options';
import { freePort, type Sshd } from '../support/sshd';
import { EngineProcess } from './engine-process';
import { startOpenSsh, type OpenSshClient } from './openssh-client';
import { portRoute, socksRoute, type Route } from './routes';
import type { TargetName, Targets } from './targets';

export interface Side {
  name: 'Burrow' | 'OpenSSH';
  route: Route;
  /** The process that owns the tunnels. */
  pid: number;
}

export interface Pair {
  burrow: Side & { engine: EngineProcess };
  openssh: Side & { ssh: OpenSshClient };
  close(): Promise<void>;
}

export function benchHost(sshd: Sshd, cipher?: string): HostConfig {
  return {
    alias: 'bench',
    hostname: sshd.host,
    port: sshd.port,
    user: sshd.user,
    identityFiles: [sshd.userKey],
    identitiesOnly: true,
    agent: null,
    passwordAuthentication: false,
    tryKeyboardInteractive: false,
    knownHostsFiles: [sshd.knownHosts],
    strictHostKeyChecking: 'yes',
    serverAliveInterval: DEFAULTS.serverAliveInterval,
    serverAliveCountMax: DEFAULTS.serverAliveCountMax,
    connectTimeout: DEFAULTS.connectTimeout,
    ciphers: cipher ? [cipher] : undefined,
    batchMode: true,
    jump: [],
  };
}

const NAMES: TargetName[] = ['echo', 'sink', 'source', 'reply'];
const FLAG: Record<ForwardKind, string> = { local: '-L', remote: '-R', dynamic: '-D' };
const LOOP = '127.0.0.1';

export interface PairOptions {
  kind: ForwardKind;
  /** undefined: each side's default. */
  burrowCipher?: string;
  opensshCipher?: string;
  cpuProfileDir?: string;
  /** BENCH_EXPERIMENT for the engine child (see experiments.ts). */
  experiment?: string;
}

export async function startBurrow(sshd: Sshd, targets: Targets, o: PairOptions): Promise<Pair['burrow']> {
  const engine = await EngineProcess.spawn({ cpuProfileDir: o.cpuProfileDir, experiment: o.experiment });
  try {
    const host = benchHost(sshd, o.burrowCipher);
    let route: Route;
    if (o.kind === 'dynamic') {
      const bound = await engine.request({ cmd: 'start', host, forwards: [{ id: 'socks', spec: { kind: 'dynamic', listen: { host: LOOP, port: 0 } } }] });
      route = socksRoute(bound.socks, targets.ports);
    } else {
      const listenPorts = {} as Record<TargetName, number>;
      for (const n of NAMES) listenPorts[n] = o.kind === 'remote' ? await freePort() : 0;
      const forwards = NAMES.map((n) => ({
        id: n,
        spec: { kind: o.kind, listen: { host: LOOP, port: listenPorts[n] }, target: { host: LOOP, port: targets.ports[n] } } satisfies ForwardSpec,
      }));
      const bound = await engine.request({ cmd: 'start', host, forwards });
      const ports = {} as Record<TargetName, number>;
      for (const n of NAMES) ports[n] = o.kind === 'remote' ? listenPorts[n] : bound[n];
      route = portRoute(ports);
    }
    return { name: 'Burrow', route, pid: engine.pid, engine };
  } catch (e) {
    await engine.close();
    throw e;
  }
}

export async function startReference(sshd: Sshd, targets: Targets, o: PairOptions): Promise<Pair['openssh']> {
  if (o.kind === 'dynamic') {
    const port = await freePort();
    const ssh = await startOpenSsh(sshd, { cipher: o.opensshCipher, forwards: ['-D', `${LOOP}:${port}`], readyPorts: [port] });
    return { name: 'OpenSSH', route: socksRoute(port, targets.ports), pid: ssh.pid, ssh };
  }
  const ports = {} as Record<TargetName, number>;
  for (const n of NAMES) ports[n] = await freePort();
  const forwards = NAMES.flatMap((n) => [FLAG[o.kind], `${LOOP}:${ports[n]}:${LOOP}:${targets.ports[n]}`]);
  const ssh = await startOpenSsh(sshd, { cipher: o.opensshCipher, forwards, readyPorts: NAMES.map((n) => ports[n]) });
  return { name: 'OpenSSH', route: portRoute(ports), pid: ssh.pid, ssh };
}

export async function startPair(sshd: Sshd, targets: Targets, o: PairOptions): Promise<Pair> {
  const burrow = await startBurrow(sshd, targets, o);
  let openssh: Pair['openssh'];
  try {
    openssh = await startReference(sshd, targets, o);
  } catch (e) {
    await burrow.engine.close();
    throw e;
  }
  return {
    burrow,
    openssh,
    close: async () => {
      await Promise.all([burrow.engine.close(), openssh.ssh.close()]);
    },
  };
}
