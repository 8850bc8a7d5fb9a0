// Everything about one forward: live chart, open connections, the event log,
// a health check, its ssh command, and what to do when it fails.
import { useEffect, useState } from 'react';
import type { HealthResult, LiveConnection } from '../../../shared/contract';
import { copyText, fixesFor, runAction, startForward, stopForward } from '../actions';
import { call, errorMessage } from '../api';
import { bytes, clock, duration } from '../format';
import { KINDS, destinationText, isRunning, listenText, viaText } from '../forward-meta';
import { stateReason } from '../../../shared/tunnel-state';
import { forwardRow, refocusWhenLost } from '../focus';
import { useEngineLost } from '../hooks/useEngineLost';
import { useLive, useLogs, useSnapshot } from '../hooks/useStore';
import { notify } from '../notices';
import { store } from '../store';
import { useUi } from '../ui';
import { StateText } from './StateText';
import { ThroughputChart } from './ThroughputChart';

function Connections({ name, open }: { name: string; open: number }) {
  const [list, setList] = useState<LiveConnection[]>([]);
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    let live = true;
    const load = () =>
      call('forward.connections', { name })
        .then((c) => {
          if (!live) return;
          setList(c);
          setNow(Date.now());
        })
        .catch(() => undefined);
    void load();
    const t = setInterval(load, 1000);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, [name, open]);
  const close = async (id: number) => {
    try {
      await call('forward.closeConnection', { name, connectionId: id });
      setList((l) => l.filter((c) => c.id !== id));
    } catch (e) {
      notify({ tone: 'error', text: errorMessage(e) });
    }
  };
  if (list.length === 0) return <p className="muted">No open connections.</p>;
  return (
    <table className="table compact" aria-label="Open connections">
      <thead>
        <tr>
          <th>From</th>
          <th>Open for</th>
          <th>In</th>
          <th>Out</th>
          <th>
            <span className="sr-only">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {list.map((c) => (
          <tr key={c.id}>
            <td className="mono">{c.source}</td>
            <td>{duration(now - c.openedAt)}</td>
            <td className="num">{bytes(c.bytesIn)}</td>
            <td className="num">{bytes(c.bytesOut)}</td>
            <td className="actions">
              <button type="button" className="small" aria-label={`Close connection from ${c.source}`} onClick={() => close(c.id)}>
                Close
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function EventLog({ name }: { name: string }) {
  const logs = useLogs(name);
  useEffect(() => {
    call('forward.logs', { name, limit: 200 })
      .then((l) => store.setLogs(name, l))
      .catch(() => store.setLogs(name, []));
  }, [name]);
  if (!logs) return <p className="muted">Loading…</p>;
  if (logs.length === 0) return <p className="muted">Nothing has happened yet.</p>;
  return (
    <ol className="log" aria-label="Event log">
      {[...logs].reverse().map((l, i) => (
        <li key={`${l.time}-${i}`} className={`log-${l.level}`}>
          <time className="mono muted">{clock(l.time)}</time> {l.message}
        </li>
      ))}
    </ol>
  );
}

function Health({ name, running, active }: { name: string; running: boolean; active: boolean }) {
  const [r, setR] = useState<HealthResult | 'running' | null>(null);
  // A result is about one run of the forward: a stop, restart or reconnect forgets it.
  useEffect(() => {
    if (!active) setR(null);
  }, [name, active]);
  useEffect(() => setR(null), [name]);
  const run = async () => {
    setR('running');
    try {
      setR(await call('forward.healthCheck', { name }));
    } catch (e) {
      setR({ ok: false, error: { code: 'INTERNAL', message: errorMessage(e) } });
    }
  };
  return (
    <div className="health">
      <button type="button" onClick={run} disabled={r === 'running' || !running} title={running ? undefined : 'Start the forward first'}>
        Health check
      </button>
      <span role="status" aria-live="polite">
        {r === 'running' && <span className="muted">Checking…</span>}
        {r &&
          r !== 'running' &&
          (r.ok ? (
            <span className="ok" title={r.what}>
              Healthy, round trip {r.rttMs?.toFixed(1)} ms{r.measured === 'session' ? ' (SSH session: a SOCKS proxy has no fixed destination)' : ''}
            </span>
          ) : (
            <span className="error-text">{r.error?.message}</span>
          ))}
      </span>
    </div>
  );
}

export function DetailsPane({ name }: { name: string }) {
  const ui = useUi();
  const snapshot = useSnapshot();
  const live = useLive(name);
  const lost = useEngineLost();
  const view = snapshot?.forwards.find((v) => v.forward.name === name);
  if (!view) return null;
  const f = view.forward;
  const state = live?.state ?? view.state;
  const stats = live?.stats ?? view.stats;
  const running = isRunning(state.state);
  const reason = stateReason(state);
  const fixes = fixesFor(name, reason, ui);
  const changedKey = reason?.code === 'HOSTKEY_CHANGED';

  return (
    <aside className="details" aria-label={`Details of ${name}`}>
      <header className="details-head">
        <div>
          <h2>{name}</h2>
          <p className="muted">
            {KINDS.find((k) => k.kind === f.kind)?.title} · <span className="mono">{listenText(f, state)}</span> →{' '}
            <span className="mono">{destinationText(f)}</span> via {viaText(f.host, snapshot?.hosts)}
          </p>
          {f.tags.length > 0 && (
            <ul className="tags" aria-label="Tags">
              {f.tags.map((t) => (
                <li key={t}>{t}</li>
              ))}
            </ul>
          )}
        </div>
      </header>
      <fieldset className="details-actions" disabled={lost} aria-label={lost ? 'Actions (no connection to Burrow)' : 'Actions'}>
        {running ? (
          <button type="button" onClick={() => stopForward(name)}>
            Stop
          </button>
        ) : (
          <button type="button" className="primary" onClick={() => startForward(name, ui)}>
            Start
          </button>
        )}
        <button type="button" onClick={() => runAction(name, 'forward.restart')} disabled={!running}>
          Restart
        </button>
        <button type="button" onClick={() => ui.open({ type: 'forward', name })}>
          Edit
        </button>
        <button type="button" onClick={() => copyText(view.sshCommand, 'the ssh command')} disabled={!view.sshCommand}>
          Copy as ssh command
        </button>
        <button type="button" className="danger" onClick={() => ui.open({ type: 'confirmRemove', name })}>
          Remove
        </button>
      </fieldset>

      <section className="details-state" aria-label="State">
        <StateText state={state} kind={f.kind} withReason={false} />
        {changedKey ? (
          <div className="alarm" role="alert">
            <strong>Warning: the server's host key has changed.</strong>
            <p>{reason?.message}</p>
            <p>
              Someone may be intercepting the connection, or the server was reinstalled. Burrow will not connect. Ask the server's administrator for the new
              key's fingerprint; only when it matches, remove the old key from your known_hosts file (ssh-keygen -R) and start again.
            </p>
          </div>
        ) : (
          reason && (
            <div className={`reason ${state.state === 'failed' ? 'error' : 'warn'}`} role="status">
              <p>{reason.message}</p>
              {fixes.length > 0 && (
                <div className="fixes">
                  {fixes.map((a) => (
                    <button
                      key={a.label}
                      type="button"
                      className="small"
                      onClick={() => {
                        // The fixes go away while it starts again: the row keeps the focus.
                        const toRow = () => refocusWhenLost(() => forwardRow(name));
                        toRow();
                        void Promise.resolve(a.run()).finally(toRow);
                      }}
                    >
                      {a.label}
                    </button>
                  ))}
                </div>
              )}
            </div>
          )
        )}
        <dl className="stats">
          <div>
            <dt>Open connections</dt>
            <dd>{stats.openConnections}</dd>
          </div>
          <div>
            <dt>Since start</dt>
            <dd>{stats.totalConnections}</dd>
          </div>
          <div>
            <dt>In</dt>
            <dd>{bytes(stats.bytesIn)}</dd>
          </div>
          <div>
            <dt>Out</dt>
            <dd>{bytes(stats.bytesOut)}</dd>
          </div>
        </dl>
      </section>

      <section aria-label="Throughput">
        <h3>Throughput</h3>
        <ThroughputChart rates={live?.rates ?? []} />
      </section>
      <section aria-label="Health">
        <Health name={name} running={running} active={state.state === 'active'} />
      </section>
      <section>
        <h3>Connections</h3>
        <Connections name={name} open={stats.openConnections} />
      </section>
      <section>
        <h3>Events</h3>
        <EventLog name={name} />
      </section>
      {view.sshCommand && (
        <section>
          <h3>As an ssh command</h3>
          <pre className="command mono">{view.sshCommand}</pre>
        </section>
      )}
    </aside>
  );
}
