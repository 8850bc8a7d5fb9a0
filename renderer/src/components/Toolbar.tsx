// Search, filters, grouping and the window's main actions.
import type { RefObject } from 'react';
import type { HostView } from '../../../shared/contract';
import { useUi } from '../ui';
import type { Filters } from './ForwardList';

export function Toolbar(props: {
  filters: Filters;
  setFilters: (f: Filters) => void;
  hosts: HostView[];
  groups: string[];
  searchRef: RefObject<HTMLInputElement | null>;
}) {
  const ui = useUi();
  const { filters: f, setFilters } = props;
  const put = <K extends keyof Filters>(k: K, v: Filters[K]) => setFilters({ ...f, [k]: v });
  return (
    <header className="toolbar">
      <h1 className="brand">
        <span className="logo" aria-hidden="true" />
        Burrow
      </h1>
      <button type="button" className="primary" onClick={() => ui.open({ type: 'forward' })} title="New forward (N)">
        Add forward
      </button>
      <button type="button" onClick={() => ui.open({ type: 'presets' })}>
        Presets
      </button>
      <div className="filters" role="search" aria-label="Filter forwards">
        <input
          ref={props.searchRef}
          type="search"
          className="search"
          aria-label="Search forwards"
          placeholder="Search  ( / )"
          value={f.text}
          onChange={(e) => put('text', e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              put('text', '');
              e.currentTarget.blur();
            }
          }}
        />
        <select aria-label="Filter by state" value={f.state} onChange={(e) => put('state', e.target.value as Filters['state'])}>
          <option value="all">All states</option>
          <option value="running">Running</option>
          <option value="stopped">Stopped</option>
          <option value="problems">Failing</option>
        </select>
        <select aria-label="Filter by host" value={f.host} onChange={(e) => put('host', e.target.value)}>
          <option value="">All hosts</option>
          {props.hosts.map((h) => (
            <option key={h.host.name} value={h.host.name}>
              {h.host.name}
            </option>
          ))}
        </select>
        <select aria-label="Filter by group" value={f.group} onChange={(e) => put('group', e.target.value)}>
          <option value="">All groups</option>
          {props.groups.map((g) => (
            <option key={g} value={g}>
              {g}
            </option>
          ))}
        </select>
        <select aria-label="Group by" value={f.groupBy} onChange={(e) => put('groupBy', e.target.value as Filters['groupBy'])}>
          <option value="host">By host</option>
          <option value="group">By group</option>
        </select>
      </div>
      <span className="spacer" />
      <button type="button" onClick={() => ui.open({ type: 'hosts' })}>
        Hosts
      </button>
      <button type="button" onClick={() => ui.open({ type: 'import' })}>
        Import
      </button>
      <button type="button" onClick={() => ui.open({ type: 'export' })}>
        Export
      </button>
      <button type="button" onClick={() => ui.open({ type: 'settings' })}>
        Settings
      </button>
    </header>
  );
}
