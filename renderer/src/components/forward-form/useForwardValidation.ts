// The forward form's verdict on its draft as you type: the shared schema's
// (ForwardSchema, as the main process judges it), a name another forward has,
// no host to go through, a SOCKS password the contract refuses, and what the
// main process said on the last save.
import { useMemo } from 'react';
import { socksSecretProblem } from '../../../../shared/contract';
import { ForwardSchema, type Forward, type ForwardInput } from '../../../../shared/model';
import { useSnapshot } from '../../hooks/useStore';
import { firstByField } from '../Field';
import { fieldOfPath, toInput, type Draft } from './draft';

export function useForwardValidation(d: Draft, base: Partial<ForwardInput>, original: Forward | undefined, serverErrors: Record<string, string>) {
  const snapshot = useSnapshot();
  const input = useMemo(() => toInput(d, base), [d]); // eslint-disable-line react-hooks/exhaustive-deps
  const parsed = useMemo(() => ForwardSchema.safeParse(input), [input]);
  const hostCount = snapshot?.hosts.length ?? 0;
  const errors = useMemo(() => {
    const out = parsed.success ? {} : firstByField(parsed.error.issues.map((i) => ({ field: fieldOfPath(i.path), message: i.message })));
    const taken = snapshot?.forwards.some((v) => v.forward.name === d.name.trim() && v.forward.name !== original?.name);
    if (taken && !out.name) out.name = `A forward named '${d.name.trim()}' exists already; pick another name.`;
    if (!d.host && hostCount === 0) out.host = 'Add an SSH host first: forwards go through one.';
    const secretProblem = d.kind === 'dynamic' && d.socksPassword !== '' ? socksSecretProblem(input, d.socksPassword) : null;
    if (secretProblem) out.secret = secretProblem;
    return { ...out, ...serverErrors };
  }, [parsed, input, serverErrors, snapshot, d.name, d.host, d.kind, d.socksPassword, hostCount, original?.name]);
  return { parsed, errors };
}
