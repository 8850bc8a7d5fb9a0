// The host form's verdict on its draft as you type: the shared schema's
// (HostSchema), the key file in the window's words, the jump chain's
// cross-host checks, a name another host has, each algorithm field's (the
// engine's resolver, the schema, the last save), and the main process's.
import { useMemo } from 'react';
import { HostSchema, type Algorithms, type Host } from '../../../../shared/model';
import { useSnapshot } from '../../hooks/useStore';
import { firstByField } from '../Field';
import { ALGORITHM_FIELDS, useAlgorithmChecks, type AlgorithmField } from './AlgorithmFields';
import { fieldOfPath, toInput, type Draft } from './draft';
import { chainProblem } from './JumpChainPicker';

const KEY_FILE_MISSING = 'Choose the private key to log in with: type its path (e.g. ~/.ssh/id_ed25519) or pick one from the list.';

export function useHostValidation(d: Draft, original: Host | undefined, serverErrors: Record<string, string>) {
  const snapshot = useSnapshot();
  const savedHosts = useMemo(() => (snapshot?.hosts ?? []).map((h) => h.host), [snapshot]);
  const checks = useAlgorithmChecks(d.algorithms);
  const resolvedLists = useMemo(() => {
    const out: Record<string, string[]> = {};
    for (const f of ALGORITHM_FIELDS) {
      const c = checks[f.field];
      if (c?.status === 'ok') out[f.field] = c.list;
    }
    return out as Algorithms;
  }, [checks]);
  const input = useMemo(() => toInput(d, original, resolvedLists), [d, original, resolvedLists]);
  const parsed = useMemo(() => HostSchema.safeParse(input), [input]);
  // Per algorithm field: the resolver's verdict as you type, the schema's, and the main process's on save.
  const algorithmErrors = useMemo(() => {
    const out: Partial<Record<AlgorithmField, string>> = {};
    for (const f of ALGORITHM_FIELDS) {
      const c = checks[f.field];
      if (c?.status === 'error') out[f.field] = c.message;
    }
    if (!parsed.success)
      for (const i of parsed.error.issues) if (i.path[0] === 'algorithms' && typeof i.path[1] === 'string') out[i.path[1] as AlgorithmField] ??= i.message;
    for (const [k, v] of Object.entries(serverErrors)) if (k.startsWith('algorithms.')) out[k.slice('algorithms.'.length) as AlgorithmField] ??= v;
    return out;
  }, [checks, parsed, serverErrors]);
  const errors = useMemo(() => {
    // The key file has its own field (touched on its own), and the window's words for it.
    const issues = parsed.success ? [] : parsed.error.issues.filter((i) => i.path.join('.') !== 'auth.keyPath');
    const out = firstByField(issues.map((i) => ({ field: fieldOfPath(i.path), message: i.message })));
    if (d.method === 'key' && !d.keyPath.trim()) out.keyPath = KEY_FILE_MISSING;
    else if (!parsed.success) {
      const keyIssue = parsed.error.issues.find((i) => i.path.join('.') === 'auth.keyPath');
      if (keyIssue) out.keyPath = keyIssue.message;
    }
    // The shared cross-host checks: its own jump host, hosts that are not saved, loops.
    const chain = out.jump ? null : chainProblem(savedHosts, original?.name, d.name, d.jump);
    if (chain) out.jump = chain;
    if (!out.name && snapshot?.hosts.some((h) => h.host.name === d.name.trim() && h.host.name !== original?.name))
      out.name = `A host named '${d.name.trim()}' exists already.`;
    const firstAlgorithmError = Object.values(algorithmErrors).find(Boolean);
    if (firstAlgorithmError) out.algorithms ??= firstAlgorithmError;
    return { ...out, ...serverErrors };
  }, [parsed, serverErrors, snapshot, savedHosts, d.name, d.jump, d.keyPath, d.method, original?.name, algorithmErrors]);
  return { savedHosts, checks, parsed, algorithmErrors, errors };
}
