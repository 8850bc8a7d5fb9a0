// A forward's state in words, with a countdown while it reconnects.
import { useEffect, useState } from 'react';
import type { ForwardState } from '../../../shared/contract';
import type { ForwardKind } from '../../../shared/forward-spec';
import { stateLabel } from '../forward-meta';
import { stateReason } from '../../../shared/tunnel-state';

function Countdown({ at }: { at: number }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(t);
  }, [at]);
  const s = Math.max(0, Math.ceil((at - now) / 1000));
  return <>{s > 0 ? ` in ${s} s` : ' now'}</>;
}

/** `headline`: the reason said shorter, cause first (the full message becomes its tooltip). */
export function StateText(props: { state: ForwardState; kind: ForwardKind; withReason?: boolean; headline?: string }) {
  const { state, withReason = true, headline } = props;
  const tone = state.state === 'active' && state.destination.status === 'failing' ? 'warn' : state.state;
  const reason = stateReason(state);
  return (
    <span className={`state state-${tone}`}>
      <span className="state-dot" aria-hidden="true" />
      <span className="state-label">
        {stateLabel(state, props.kind)}
        {state.state === 'reconnecting' && state.nextAttemptAt ? <Countdown at={state.nextAttemptAt} /> : null}
        {state.state === 'reconnecting' && state.attempt ? ` (attempt ${state.attempt})` : null}
      </span>
      {withReason && reason && (
        <span className="state-reason" title={reason.message}>
          {headline ?? reason.message}
        </span>
      )}
    </span>
  );
}
