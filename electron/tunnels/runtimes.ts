// Which runtime carries each kind of forward.
import type { ForwardSpec } from '../../shared/forward-spec';
import { createDynamicForward } from './dynamic-forward';
import { fixedTarget, ListenerForward } from './listener-forward';
import { RemoteForward } from './remote-forward';
import type { ForwardContext, ForwardRuntime } from './forward-runtime';

export type RuntimeFactory = (spec: ForwardSpec, ctx: ForwardContext) => ForwardRuntime;

export const runtimeFactories: Record<ForwardSpec['kind'], RuntimeFactory> = {
  local: (spec, ctx) => new ListenerForward(spec, ctx, fixedTarget(spec.target!)),
  dynamic: (spec, ctx) => createDynamicForward(spec, ctx),
  remote: (spec, ctx) => new RemoteForward(spec, ctx),
};
