// The forwards, grouped by host or by group, filtered by the toolbar. Re-renders
// when forwards are added, edited or removed, or a state changes while
// filtering by state; stats ticks never reach it.
import { memo, useMemo } from 'react';
import type { ForwardState, ForwardView, HostView } from '../../../shared/contract';
import { groupAction } from '../actions';
import { isRunning, viaText } from '../forward-meta';
import { destinationFailing } from '../../../shared/tunnel-state';
import { plural } from '../format';
import { useStates } from '../hooks/useStore';
import { useUi } from '../ui';
import { ForwardRow } from './ForwardRow';

export type GroupBy = 'host' | 'group';
export type StateFilter = 'all' | 'running' | 'stopped' | 'problems';

export interface Filters {
  text: string;
  state: StateFilter;
  host: string;
  group: string;
  groupBy: GroupBy;
}

const NO_GROUP = 'Ungrouped';

function matchesState(filter: StateFilter, st: ForwardState | undefined) {
  const s = st?.state;
  if (filter === 'all') return true;
  if (filter === 'running') return isRunning(s);
  if (filter === 'stopped') return s === 'stopped' || s === undefined;
  return s === 'failed' || s === 'reconnecting' || (!!st && destinationFailing(st));
}

function matchesText(v: ForwardView, text: string) {
  if (!text) return true;
  const f = v.forward;
  const hay = [f.name, f.host, f.group ?? '', v.summary, ...f.tags, f.notes ?? ''].join(' ').toLowerCase();
  return text
    .toLowerCase()
    .split(/\s+/)
    .every((w) => hay.includes(w));
}

export interface Section {
  key: string;
  title: string;
  isGroup: boolean;
  rows: ForwardView[];
}

export function useSections(forwards: ForwardView[], filters: Filters): Section[] {
  const states = useStates();
  const needsStates = filters.state !== 'all';
  const stateKey = needsStates ? states : null;
  return useMemo(() => {
    const map = new Map<string, Section>();
    for (const v of forwards) {
      const f = v.forward;
      if (filters.host && f.host !== filters.host) continue;
      if (filters.group && (f.group ?? '') !== filters.group) continue;
      if (!matchesText(v, filters.text.trim())) continue;
      if (stateKey && !matchesState(filters.state, stateKey[f.name])) continue;
      const key = filters.groupBy === 'host' ? f.host : (f.group ?? '');
      let s = map.get(key);
      if (!s) map.set(key, (s = { key, title: key || NO_GROUP, isGroup: filters.groupBy === 'group' && key !== '', rows: [] }));
      s.rows.push(v);
    }
    return [...map.values()].sort((a, b) => (a.key === '' ? 1 : b.key === '' ? -1 : a.title.localeCompare(b.title)));
  }, [forwards, filters, stateKey]);
}

const SectionHeader = memo(function SectionHeader({ section, groupBy }: { section: Section; groupBy: GroupBy }) {
  const states = useStates();
  const names = section.rows.map((r) => r.forward.name);
  const running = names.filter((n) => isRunning(states[n]?.state)).length;
  const what = groupBy === 'host' ? `host ${section.title}` : section.key ? `group ${section.title}` : 'the ungrouped forwards';
  return (
    <div className="section-head">
      <h2>
        {section.title}{' '}
        <span className="muted">
          {groupBy === 'host' ? 'host · ' : section.key ? 'group · ' : ''}
          {plural(names.length, 'forward')} · {running} running
        </span>
      </h2>
      <div className="section-actions">
        <button
          type="button"
          className="small"
          aria-label={`Start all in ${what}`}
          onClick={() => groupAction(section.key, names, true, section.isGroup)}
          disabled={running === names.length}
        >
          Start all
        </button>
        <button
          type="button"
          className="small"
          aria-label={`Stop all in ${what}`}
          onClick={() => groupAction(section.key, names, false, section.isGroup)}
          disabled={running === 0}
        >
          Stop all
        </button>
      </div>
    </div>
  );
});

export function ForwardList(props: { sections: Section[]; hosts: HostView[]; selected: string | null; groupBy: GroupBy; total: number }) {
  const ui = useUi();
  if (props.total === 0) {
    return (
      <div className="empty">
        <h2>No forwards yet</h2>
        <p>A forward makes a service behind an SSH server reachable here, like POP3 on localhost:1100.</p>
        <div className="empty-actions">
          <button type="button" className="primary" onClick={() => ui.open({ type: 'presets' })}>
            Start from a preset
          </button>
          <button type="button" onClick={() => ui.open({ type: 'forward' })}>
            Set one up by hand
          </button>
          <button type="button" onClick={() => ui.open({ type: 'import' })}>
            Import ~/.ssh/config
          </button>
        </div>
      </div>
    );
  }
  if (props.sections.length === 0) return <p className="empty muted">No forward matches the filters.</p>;
  return (
    <div className="list">
      {props.sections.map((s) => (
        <section key={s.key} className="section" aria-label={s.title}>
          <SectionHeader section={s} groupBy={props.groupBy} />
          <ul className="rows" aria-label={`Forwards in ${s.title}`}>
            {s.rows.map((v) => (
              <ForwardRow key={v.forward.name} view={v} via={viaText(v.forward.host, props.hosts)} selected={props.selected === v.forward.name} />
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}
