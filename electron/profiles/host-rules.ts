// What a saved host must satisfy beyond its schema's shape: its algorithm lists
// name only algorithms ssh2 implements (the engine's own resolver). Checked
// where hosts are saved (repository.addHost / replaceHost) and imported
// (merge.ts), so the window, the command line and JSON or ssh_config imports
// all refuse the same hosts with the same message.
import { ValidationError, type Host } from '../../shared/model';
import { resolveAlgorithms, type AlgorithmKind } from '../tunnels/algorithms';

/** The model's algorithm fields by the resolver's kinds. */
const ALGORITHM_FIELDS = { ciphers: 'cipher', kex: 'kex', hostKey: 'hostKey', mac: 'mac' } as const;

export interface HostProblem {
  /** As the contract's inputs name it: ['host', 'algorithms', 'kex']. */
  path: (string | number)[];
  message: string;
}

export function hostProblems(host: Pick<Host, 'algorithms'>): HostProblem[] {
  const problems: HostProblem[] = [];
  for (const [field, kind] of Object.entries(ALGORITHM_FIELDS) as [keyof typeof ALGORITHM_FIELDS, AlgorithmKind][]) {
    const list = host.algorithms?.[field];
    if (!list) continue;
    try {
      resolveAlgorithms(kind, list.join(','));
    } catch (e) {
      problems.push({ path: ['host', 'algorithms', field], message: (e as Error).message });
    }
  }
  return problems;
}

/** Throws a validation error naming each field that breaks a rule. */
export function checkHostRules(host: Pick<Host, 'algorithms'>): void {
  const problems = hostProblems(host);
  if (problems.length) throw new ValidationError(problems);
}
