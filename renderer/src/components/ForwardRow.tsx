// One forward in the list. Memoized and subscribed to its own live slice, so a
// stats tick re-renders only the rows whose numbers moved.
import { memo, useState } from 'react';
import type { ForwardView } from '../../../shared/contract';
import { startForward, stopForward } from '../actions';
import { rate } from '../format';
import { KIND_LETTER, destinationText, isRunning, listenText, reasonHeadline, stateLabel } from '../forward-meta';
import { useEngineLost } from '../hooks/useEngineLost';
import { useLive } from '../hooks/useStore';
import { useUi } from '../ui';
import { Sparkline } from './Sparkline';
import { StateText } from './StateText';
import { Switch } from './Switch';
import { stateReason } from '../../../shared/tunnel-state';

/** How many of a name's last characters are never cut. */
const NAME_END = 8;

export const ForwardRow = memo(function ForwardRow(props: { view: ForwardView; via: string; selected: boolean }) {
  const { forward: f } = props.view;
  const live = useLive(f.name);
  const ui = useUi();
  const [busy, setBusy] = useState(false);
  const state = live?.state ?? props.view.state;
  const stats = live?.stats ?? props.view.stats;
  const last = live?.rates.at(-1);
  const running = isRunning(state.state);
  // Without the engine the last known state may be wrong: say unknown, and offer no action.
  const lost = useEngineLost();

  const toggle = async (on: boolean) => {
    setBusy(true);
    try {
      await (on ? startForward(f.name, ui) : stopForward(f.name));
    } finally {
      setBusy(false);
    }
  };

  return (
    <li
      className={`row ${props.selected ? 'selected' : ''}`}
      data-forward={f.name}
      aria-current={props.selected || undefined}
      aria-label={`${f.name}, ${lost ? 'state unknown' : stateLabel(state, f.kind)}`}
      tabIndex={props.selected ? 0 : -1}
      onClick={() => ui.select(f.name)}
      onDoubleClick={() => ui.open({ type: 'forward', name: f.name })}
    >
      <Switch
        label={f.name}
        checked={running && !lost}
        busy={!lost && (busy || state.state === 'connecting')}
        disabled={lost}
        onChange={toggle}
        title={lost ? 'No connection to Burrow' : running ? `Stop ${f.name}` : `Start ${f.name}`}
      />
      <div className="row-name">
        <span className={`kind kind-${f.kind}`} title={`${f.kind} forward`}>
          {KIND_LETTER[f.kind]}
        </span>
        <span className="name" title={f.name}>
          {/* Cut in the middle: names that share a long prefix (imported ones) stay apart by their ends. */}
          <span className="name-start">{f.name.slice(0, Math.max(0, f.name.length - NAME_END))}</span>
          <span className="name-end">{f.name.slice(Math.max(0, f.name.length - NAME_END))}</span>
        </span>
      </div>
      <div className="row-route">
        <span className="mono">{listenText(f, state)}</span>
        <span className="arrow" aria-label="to">
          →
        </span>
        <span className="mono">{destinationText(f)}</span>
        <span className="via">via {props.via}</span>
      </div>
      <div className="row-state">
        {lost ? (
          <span className="state state-unknown">
            <span className="state-dot" aria-hidden="true" />
            <span className="state-label">Unknown</span>
            <span className="state-reason">No connection to Burrow</span>
          </span>
        ) : (
          <StateText state={state} kind={f.kind} headline={reasonHeadline(f, stateReason(state))} />
        )}
      </div>
      <div className="row-conns" aria-label="Open connections" title={`${stats.totalConnections} since start`}>
        <span className="num">{stats.openConnections}</span>
        <span className="muted"> open</span>
      </div>
      <div className="row-traffic" title="Throughput over the last minute">
        <Sparkline rates={live?.rates ?? []} />
        <span className="num muted">{rate((last?.in ?? 0) + (last?.out ?? 0))}</span>
      </div>
    </li>
  );
});
