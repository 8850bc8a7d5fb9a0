// Which runtime carries each kind of forward.
import { BurrowError } from '../../shared/errors';
import type { ForwardSpec } from '../../shared/forward-spec';
import { createDynamicForward } from './dynamic-forward';
import { fixedTarget, ListenerForward } from './listener-forward';
import type { ForwardContext, ForwardRuntime } from './forward-runtime';

export type RuntimeFactory = (spec: ForwardSpec, ctx: ForwardContext) => ForwardRuntime;

const notYet = (what: string): RuntimeFactory => () => {
  throw new BurrowError('SPEC_INVALID', `${what} forwards are not supported yet.`);
};

export const runtimeFactories: Record<ForwardSpec['kind'], RuntimeFactory> = {
  local: (spec, ctx) => new ListenerForward(spec, ctx, fixedTarget(spec.target!)),
  dynamic: (spec, ctx) => createDynamicForward(spec, ctx),
  remote: notYet('Remote (-R)'),
};
