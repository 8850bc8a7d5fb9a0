// The main window: toolbar, the forwards list, the details of the selected
// forward, and whatever dialog is open.
import { useEffect, useMemo, useRef, useState } from 'react';
import { startForward, stopForward } from './actions';
import { ConfirmRemove } from './components/ConfirmRemove';
import { DetailsPane } from './components/DetailsPane';
import { ExportDialog } from './components/ExportDialog';
import { ForwardForm } from './components/forward-form/ForwardForm';
import { ForwardList, useSections, type Filters } from './components/ForwardList';
import { HostKeyAlarms } from './components/HostKeyAlarm';
import { HostsDialog } from './components/HostsDialog';
import { ImportDialog } from './components/ImportDialog';
import { Notices } from './components/Notices';
import { PresetDialog } from './components/PresetDialog';
import { PromptHost } from './components/PromptDialog';
import { SettingsDialog } from './components/SettingsDialog';
import { Toolbar } from './components/Toolbar';
import { isRunning } from './forward-meta';
import { useLoadError, useSnapshot } from './hooks/useStore';
import { useShortcuts } from './hooks/useShortcuts';
import { store } from './store';
import { startSync } from './sync';
import { UiContext, type DialogState, type Ui } from './ui';

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

const INITIAL: Filters = { text: '', state: 'all', host: '', group: '', groupBy: 'host' };

export function App() {
  const snapshot = useSnapshot();
  const loadError = useLoadError();
  const [filters, setFilters] = useState<Filters>(INITIAL);
  const [selected, setSelected] = useState<string | null>(null);
  const [dialog, setDialog] = useState<DialogState>(null);
  const searchRef = useRef<HTMLInputElement>(null);

  useEffect(() => startSync(), []);

  const ui: Ui = useMemo(() => ({ open: setDialog, select: setSelected }), []);
  const forwards = useMemo(() => snapshot?.forwards ?? [], [snapshot]);
  const sections = useSections(forwards, filters);
  const visible = useMemo(() => sections.flatMap((s) => s.rows.map((r) => r.forward.name)), [sections]);
  const groups = useMemo(() => [...new Set(forwards.map((v) => v.forward.group).filter((g): g is string => !!g))].sort(), [forwards]);
  const current = selected && forwards.some((v) => v.forward.name === selected) ? selected : null;

  useEffect(() => {
    if (!current) return;
    document.querySelector<HTMLElement>(`li[data-forward="${CSS.escape(current)}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [current]);

  useShortcuts({
    newForward: () => setDialog({ type: 'forward' }),
    search: () => searchRef.current?.focus(),
    toggleSelected: () => {
      if (!current) return;
      const s = store.getLive(current)?.state.state;
      void (isRunning(s) ? stopForward(current) : startForward(current, ui));
    },
    move: (delta) => {
      if (!visible.length) return;
      const i = current ? visible.indexOf(current) : -1;
      const next = visible[Math.max(0, Math.min(visible.length - 1, i + delta))];
      setSelected(next);
      document.querySelector<HTMLElement>(`li[data-forward="${CSS.escape(next)}"]`)?.focus();
    },
    clear: () => setSelected(null),
  });

  const close = () => setDialog(null);
  return (
    <UiContext.Provider value={ui}>
      <div className="app">
        <Toolbar filters={filters} setFilters={setFilters} hosts={snapshot?.hosts ?? []} groups={groups} searchRef={searchRef} />
        <Notices />
        <main className={`main ${current ? 'with-details' : ''}`}>
          <div className="list-pane">
            {loadError ? (
              <div className="empty">
                <h2>Burrow cannot load its forwards</h2>
                <p>{loadError}</p>
              </div>
            ) : !snapshot ? (
              <p className="empty muted">Loading…</p>
            ) : (
              <ForwardList sections={sections} hosts={snapshot.hosts} selected={current} groupBy={filters.groupBy} total={forwards.length} />
            )}
          </div>
          {current && <DetailsPane name={current} />}
        </main>
        <footer className="statusbar">
          <span>
            {plural(forwards.length, 'forward')} · {plural(snapshot?.hosts.length ?? 0, 'host')}
          </span>
          <span className="muted shortcuts">
            <kbd>N</kbd> new · <kbd>/</kbd> search · <kbd>↑</kbd>
            <kbd>↓</kbd> select · <kbd>T</kbd> start/stop · <kbd>Esc</kbd> close
          </span>
        </footer>
      </div>
      {dialog?.type === 'forward' && <ForwardForm key={dialog.name ?? 'new'} name={dialog.name} draft={dialog.draft} onClose={close} />}
      {dialog?.type === 'presets' && <PresetDialog onClose={close} />}
      {dialog?.type === 'hosts' && <HostsDialog edit={dialog.edit} onClose={close} />}
      {dialog?.type === 'import' && <ImportDialog onClose={close} />}
      {dialog?.type === 'export' && <ExportDialog onClose={close} />}
      {dialog?.type === 'settings' && <SettingsDialog onClose={close} />}
      {dialog?.type === 'confirmRemove' && <ConfirmRemove name={dialog.name} onClose={close} />}
      <PromptHost />
      <HostKeyAlarms />
    </UiContext.Provider>
  );
}
