// Add or edit a forward. Validated as you type with the shared ForwardSchema;
// warns about non-loopback binds and privileged ports, and checks whether the
// local port is free, offering the next free one. A SOCKS (dynamic) forward can
// require a login: the user name is saved with it, the password only in the
// secret store (kept, replaced or forgotten when editing).
import { useEffect, useMemo, useRef, useState } from 'react';
import { exposureOf } from '../../../shared/exposure';
import { socksSecretProblem } from '../../../shared/contract';
import { ForwardSchema, listenPort, type ForwardInput } from '../../../shared/model';
import { unprivilegedPort } from '../../../shared/presets';
import { DEFAULT_LOCAL_BIND, DEFAULT_REMOTE_BIND, isUnix, type ForwardKind } from '../../../shared/forward-spec';
import { reportStartFailure, startForward } from '../actions';
import { ApiError, call, errorMessage } from '../api';
import { KINDS, isRunning } from '../forward-meta';
import { useSnapshot } from '../hooks/useStore';
import { store } from '../store';
import { refresh } from '../sync';
import { useUi } from '../ui';
import { focusAfterClose } from '../focus';
import { useForm } from '../hooks/useForm';
import { Dialog } from './Dialog';
import { Field, firstByField } from './Field';
import { HostForm } from './HostForm';
import { SocksLoginFields } from './SocksLoginFields';
import { usePortCheck } from '../hooks/usePortCheck';

/**
 * Which ends are Unix sockets (local and remote forwards; see shared/forward-spec.ts):
 * 'tcp' port to host:port, 'toSocket' port to a socket, 'fromSocket' socket to host:port.
 */
export type Variant = 'tcp' | 'toSocket' | 'fromSocket';

/** The variants in words, by kind: where each end is. */
export const VARIANTS: Record<'local' | 'remote', { variant: Variant; label: string }[]> = {
  local: [
    { variant: 'tcp', label: 'A port here → host:port (the usual)' },
    { variant: 'toSocket', label: 'A port here → a Unix socket on the server' },
    { variant: 'fromSocket', label: 'A Unix socket here → host:port' },
  ],
  remote: [
    { variant: 'tcp', label: 'A port on the server → host:port (the usual)' },
    { variant: 'toSocket', label: 'A port on the server → a Unix socket here' },
    { variant: 'fromSocket', label: 'A Unix socket on the server → host:port' },
  ],
};

interface Draft {
  name: string;
  kind: ForwardKind;
  variant: Variant;
  host: string;
  bindAddress: string;
  port: string;
  listenSocket: string;
  destinationHost: string;
  destinationPort: string;
  destinationSocket: string;
  group: string;
  /** Comma separated. */
  tags: string;
  autostart: boolean;
  healthCheckAtStart: boolean;
  notes: string;
  /** Dynamic forwards only: the SOCKS login. */
  socksUser: string;
  /** Typed here; empty keeps a stored one (editing) or means "ask when it starts". */
  socksPassword: string;
}

const num = (s: string): number | string | undefined => (s.trim() === '' ? undefined : /^\d+$/.test(s.trim()) ? Number(s.trim()) : s);
const text = (s: string) => (s.trim() === '' ? undefined : s.trim());

/** "mail, work" -> ["mail", "work"]: what the Tags field holds, for the schema to judge. */
export function splitTags(s: string): string[] {
  return [
    ...new Set(
      s
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean),
    ),
  ];
}

// The form stays flat (one field per box); the forward is nested ({ listen, target }): converted here only.
function toDraft(f: Partial<ForwardInput>, defaultHost: string): Draft {
  const listen = f.listen;
  const target = f.kind !== 'dynamic' ? f.target : undefined;
  const tcpListen = listen && !isUnix(listen) ? listen : undefined;
  const tcpTarget = target && !isUnix(target) ? target : undefined;
  const defaultBind = f.kind === 'remote' ? DEFAULT_REMOTE_BIND : DEFAULT_LOCAL_BIND;
  return {
    name: f.name ?? '',
    kind: f.kind ?? 'local',
    variant: listen && isUnix(listen) ? 'fromSocket' : target && isUnix(target) ? 'toSocket' : 'tcp',
    host: f.host ?? defaultHost,
    // The default bind address shows as an empty box, as before.
    bindAddress: tcpListen && tcpListen.host !== defaultBind ? tcpListen.host || '*' : '',
    port: tcpListen ? String(tcpListen.port) : '',
    listenSocket: listen && isUnix(listen) ? listen.path : '',
    destinationHost: tcpTarget?.host ?? '',
    destinationPort: tcpTarget ? String(tcpTarget.port) : '',
    destinationSocket: target && isUnix(target) ? target.path : '',
    group: f.group ?? '',
    tags: (f.tags ?? []).join(', '),
    autostart: f.autostart ?? false,
    healthCheckAtStart: f.healthCheckAtStart ?? false,
    notes: f.notes ?? '',
    socksUser: f.socksUser ?? '',
    socksPassword: '',
  };
}

function toInput(d: Draft, base: Partial<ForwardInput>): Record<string, unknown> {
  const variant = d.kind === 'dynamic' ? 'tcp' : d.variant;
  const out: Record<string, unknown> = {
    ...base,
    name: d.name.trim(),
    kind: d.kind,
    host: d.host,
    group: text(d.group),
    autostart: d.autostart,
    // A SOCKS proxy has no fixed destination to check.
    healthCheckAtStart: d.kind !== 'dynamic' && d.healthCheckAtStart ? true : undefined,
    notes: text(d.notes),
    tags: splitTags(d.tags),
  };
  // The secret's reference is the main process's business; the login applies to SOCKS only.
  delete out.socksSecretRef;
  out.socksUser = d.kind === 'dynamic' ? text(d.socksUser) : undefined;
  // The listening end: a socket, or a bind address ('*' is every address) and port.
  const bind = text(d.bindAddress);
  out.listen =
    variant === 'fromSocket'
      ? { path: d.listenSocket.trim() }
      : { host: bind === undefined ? (d.kind === 'remote' ? DEFAULT_REMOTE_BIND : DEFAULT_LOCAL_BIND) : bind === '*' ? '' : bind, port: num(d.port) };
  // The destination: none for SOCKS, a socket, or host and port.
  out.target =
    d.kind === 'dynamic'
      ? undefined
      : variant === 'toSocket'
        ? { path: d.destinationSocket.trim() }
        : { host: text(d.destinationHost), port: num(d.destinationPort) };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}

/** The error key of a draft field (the password's is the contract's `secret`). */
const fieldOf = (k: keyof Draft) => (k === 'kind' || k === 'variant' ? 'port' : k === 'socksPassword' ? 'secret' : k);

/** The form field an error about the forward at `path` belongs to ("listen.port" -> port). */
function fieldOfPath(path: readonly PropertyKey[]): string {
  const [end, part] = path.map(String);
  if (end === 'listen') return part === 'path' ? 'listenSocket' : part === 'host' ? 'bindAddress' : 'port';
  if (end === 'target') return part === 'path' ? 'destinationSocket' : part === 'port' ? 'destinationPort' : 'destinationHost';
  return path.map(String).join('.');
}

export function ForwardForm(props: { name?: string; draft?: Partial<ForwardInput>; onClose: () => void }) {
  const snapshot = useSnapshot();
  const ui = useUi();
  const hosts = snapshot?.hosts ?? [];
  const original = props.name ? store.forward(props.name)?.forward : undefined;
  const base: Partial<ForwardInput> = original ?? props.draft ?? {};
  const form = useForm<Draft>(() => toDraft(base, hosts[0]?.host.name ?? ''), { fieldOf });
  const { draft: d, setDraft: setD, serverErrors, setServerErrors, set } = form;
  const [saving, setSaving] = useState(false);
  // "Add a host…" opens the host form on top of this one, so nothing typed here is lost.
  const [addingHost, setAddingHost] = useState(false);
  const [focusHost, setFocusHost] = useState(false);
  const hostSelect = useRef<HTMLSelectElement>(null);
  useEffect(() => {
    if (addingHost || !focusHost) return;
    hostSelect.current?.focus();
    setFocusHost(false);
  }, [addingHost, focusHost]);
  const hostAdded = async (name?: string) => {
    if (name) {
      await refresh();
      set('host', name);
      setFocusHost(true);
    }
    setAddingHost(false);
  };

  const input = useMemo(() => toInput(d, base), [d]); // eslint-disable-line react-hooks/exhaustive-deps
  const parsed = useMemo(() => ForwardSchema.safeParse(input), [input]);
  const errors = useMemo(() => {
    const out = parsed.success ? {} : firstByField(parsed.error.issues.map((i) => ({ field: fieldOfPath(i.path), message: i.message })));
    const taken = snapshot?.forwards.some((v) => v.forward.name === d.name.trim() && v.forward.name !== original?.name);
    if (taken && !out.name) out.name = `A forward named '${d.name.trim()}' exists already; pick another name.`;
    if (!d.host && hosts.length === 0) out.host = 'Add an SSH host first: forwards go through one.';
    const secretProblem = d.kind === 'dynamic' && d.socksPassword !== '' ? socksSecretProblem(input, d.socksPassword) : null;
    if (secretProblem) out.secret = secretProblem;
    return { ...out, ...serverErrors };
  }, [parsed, input, serverErrors, snapshot, d.name, d.host, d.kind, d.socksPassword, hosts.length, original?.name]);
  const shown = (field: string) => form.shown(errors, field);

  const typedPort = num(d.port);
  const portNum = typeof typedPort === 'number' ? typedPort : undefined;
  const variant: Variant = d.kind === 'dynamic' ? 'tcp' : d.variant;
  const listensOnPort = variant !== 'fromSocket';
  const listensHere = d.kind !== 'remote' && listensOnPort;
  const unchangedPort = original !== undefined && listenPort(original) === portNum && toDraft(original, '').bindAddress === d.bindAddress.trim();
  const check = usePortCheck(listensHere ? portNum : undefined, d.bindAddress, unchangedPort);
  const sharedWith = snapshot?.forwards.find(
    (v) => v.forward.name !== original?.name && v.forward.kind !== 'remote' && listensHere && listenPort(v.forward) === portNum && portNum !== undefined,
  );
  const bind = d.bindAddress.trim();

  // SOCKS login: what is stored, and what saving sends as the secret.
  const canStore = snapshot?.secretStoreAvailable ?? false;
  const login = d.kind === 'dynamic' && d.socksUser.trim() !== '';
  // The same rule as the command line's warnings (an empty field is the loopback default).
  const exposure = bind === '' ? null : exposureOf(d.kind, { host: bind, port: portNum ?? 0 }, { socksLogin: login });
  const passwordStored = !!original?.socksSecretRef && original.socksUser !== undefined;
  /** undefined keeps what is stored, null forgets it, a string replaces it. */
  const secretToSend = (): string | null | undefined => {
    if (login && d.socksPassword !== '') return d.socksPassword;
    if (passwordStored && !login) return null;
    return undefined;
  };
  const removeLogin = () => {
    setD((cur) => ({ ...cur, socksUser: '', socksPassword: '' }));
    form.touch('socksUser', 'secret');
  };

  const save = async (start: boolean) => {
    form.submit();
    if (!parsed.success || Object.keys(errors).length) return form.refuse();
    setSaving(true);
    try {
      const secret = secretToSend();
      // Saved is saved: a start that fails afterwards comes back as startError, and the row shows it with its fixes.
      const view = original
        ? await call('forward.update', { name: original.name, forward: parsed.data, ...(secret !== undefined ? { secret } : {}) })
        : await call('forward.add', { forward: parsed.data, start, ...(typeof secret === 'string' ? { secret } : {}) });
      store.mergeView(view);
      ui.select(view.forward.name);
      const dialog = form.ref.current?.closest('dialog') ?? null;
      props.onClose();
      // The saved forward's row takes the focus (the button that opened the form may be gone, e.g. Customize… of a preset).
      focusAfterClose(dialog, () => document.querySelector<HTMLElement>(`li[data-forward="${CSS.escape(view.forward.name)}"]`));
      if (view.startError) void reportStartFailure(view.forward.name, view.startError, ui);
      else if (original && start && !isRunning(view.state.state)) void startForward(view.forward.name, ui);
    } catch (e) {
      if (e instanceof ApiError && e.failure.issues?.length)
        setServerErrors(
          firstByField(e.failure.issues.map((i) => ({ ...i, field: i.field.startsWith('forward.') ? fieldOfPath(i.field.slice(8).split('.')) : i.field }))),
        );
      else setServerErrors({ '(form)': errorMessage(e) });
    } finally {
      setSaving(false);
    }
  };

  const portLabel = d.kind === 'remote' ? 'Remote port' : 'Local port';

  return (
    <Dialog title={original ? `Edit forward ${original.name}` : 'Add forward'} onClose={props.onClose} wide>
      <form
        ref={form.ref}
        className="form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void save(true);
        }}
      >
        <fieldset className="kinds">
          <legend>Kind</legend>
          {KINDS.map((k) => (
            <label key={k.kind} className={`kind-option ${d.kind === k.kind ? 'checked' : ''}`}>
              <input type="radio" name="kind" value={k.kind} checked={d.kind === k.kind} onChange={() => set('kind', k.kind)} />
              <span className="kind-title">{k.title}</span>
              <span className="kind-line">{k.line}</span>
            </label>
          ))}
        </fieldset>

        <div className="grid2">
          <Field label="Name" error={shown('name')}>
            {(a) => <input {...a} value={d.name} autoFocus onChange={(e) => set('name', e.target.value)} placeholder="e.g. pop3-mail" spellCheck={false} />}
          </Field>
          <Field
            label="SSH host"
            error={shown('host')}
            hint={
              <button type="button" className="link" onClick={() => setAddingHost(true)}>
                Add a host…
              </button>
            }
          >
            {(a) => (
              <select {...a} ref={hostSelect} value={d.host} onChange={(e) => set('host', e.target.value)}>
                {!d.host && <option value="">Choose a host</option>}
                {hosts.map((h) => (
                  <option key={h.host.name} value={h.host.name}>
                    {h.host.name} ({h.host.user ? `${h.host.user}@` : ''}
                    {h.host.hostname})
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>

        {d.kind !== 'dynamic' && (
          <Field
            label="Variant"
            hint={
              <span className="muted">
                {d.kind === 'local'
                  ? 'Like ssh -L: each end is a TCP port or a Unix socket, not both sockets.'
                  : 'Like ssh -R: each end is a TCP port or a Unix socket, not both sockets.'}
              </span>
            }
          >
            {(a) => (
              <select {...a} value={d.variant} onChange={(e) => set('variant', e.target.value as Variant)}>
                {VARIANTS[d.kind as 'local' | 'remote'].map((v) => (
                  <option key={v.variant} value={v.variant}>
                    {v.label}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}

        {!listensOnPort ? (
          <Field
            label="Listening socket"
            error={shown('listenSocket')}
            hint={
              <span className="muted">
                {d.kind === 'remote' ? 'A path on the SSH server, where it listens.' : 'A path on this computer, where it listens.'}
              </span>
            }
          >
            {(a) => (
              <input
                {...a}
                value={d.listenSocket}
                onChange={(e) => set('listenSocket', e.target.value)}
                placeholder={d.kind === 'remote' ? 'e.g. /tmp/app.sock' : 'e.g. /tmp/db.sock'}
                spellCheck={false}
              />
            )}
          </Field>
        ) : (
          <div className="grid2">
            <Field
              label="Bind address"
              error={shown('bindAddress')}
              hint={
                exposure ? (
                  <p className="warning" role="note">
                    {exposure.message}
                  </p>
                ) : (
                  <span className="muted">Empty: {d.kind === 'remote' ? "the server's localhost" : '127.0.0.1, this computer only'}.</span>
                )
              }
            >
              {(a) => (
                <input
                  {...a}
                  value={d.bindAddress}
                  onChange={(e) => set('bindAddress', e.target.value)}
                  placeholder={d.kind === 'remote' ? 'default: localhost' : 'default: 127.0.0.1'}
                  spellCheck={false}
                />
              )}
            </Field>
            <Field
              label={portLabel}
              error={shown('port')}
              hint={
                <>
                  {listensHere && portNum !== undefined && portNum < 1024 && (
                    <p className="note" role="note">
                      Ports below 1024 need administrator rights; use {unprivilegedPort(portNum)} instead of {portNum}.{' '}
                      <button type="button" className="link" onClick={() => set('port', String(unprivilegedPort(portNum)))}>
                        Use {unprivilegedPort(portNum)}
                      </button>
                    </p>
                  )}
                  {check && !check.free && (
                    <p className="warning" role="note">
                      Port {check.port} is in use on this computer.{' '}
                      {check.suggestion && (
                        <button type="button" className="link" onClick={() => set('port', String(check.suggestion))}>
                          Use {check.suggestion} instead
                        </button>
                      )}
                    </p>
                  )}
                  {check?.free && check.port >= 1024 && <span className="ok">Port {check.port} is free.</span>}
                  {sharedWith && (
                    <p className="note">
                      {sharedWith.forward.name} uses port {portNum} too; only one of them can run at a time.
                    </p>
                  )}
                  {d.kind === 'remote' && <span className="muted">0 lets the server choose.</span>}
                </>
              }
            >
              {(a) => (
                <input
                  {...a}
                  value={d.port}
                  inputMode="numeric"
                  onChange={(e) => set('port', e.target.value)}
                  placeholder={d.kind === 'dynamic' ? 'e.g. 1080' : 'e.g. 1100'}
                />
              )}
            </Field>
          </div>
        )}

        {variant === 'toSocket' && (
          <Field
            label="Destination socket"
            error={shown('destinationSocket')}
            hint={
              <span className="muted">{d.kind === 'local' ? 'A path on the SSH server, e.g. /run/postgresql/.s.PGSQL.5432.' : 'A path on this computer.'}</span>
            }
          >
            {(a) => (
              <input
                {...a}
                value={d.destinationSocket}
                onChange={(e) => set('destinationSocket', e.target.value)}
                placeholder="e.g. /run/app.sock"
                spellCheck={false}
              />
            )}
          </Field>
        )}
        {d.kind !== 'dynamic' && variant !== 'toSocket' && (
          <div className="grid2">
            <Field
              label="Destination host"
              error={shown('destinationHost')}
              hint={
                <span className="muted">{d.kind === 'local' ? 'As the SSH server sees it; localhost is the server itself.' : 'As this computer sees it.'}</span>
              }
            >
              {(a) => (
                <input
                  {...a}
                  value={d.destinationHost}
                  onChange={(e) => set('destinationHost', e.target.value)}
                  placeholder="e.g. localhost"
                  spellCheck={false}
                />
              )}
            </Field>
            <Field label="Destination port" error={shown('destinationPort')}>
              {(a) => (
                <input {...a} value={d.destinationPort} inputMode="numeric" onChange={(e) => set('destinationPort', e.target.value)} placeholder="e.g. 110" />
              )}
            </Field>
          </div>
        )}

        {d.kind === 'dynamic' && (
          <SocksLoginFields
            user={d.socksUser}
            password={d.socksPassword}
            savedUser={original?.socksUser}
            passwordStored={passwordStored}
            canStore={canStore}
            errors={{ user: shown('socksUser'), password: shown('secret') }}
            onUser={(v) => set('socksUser', v)}
            onPassword={(v) => set('socksPassword', v)}
            onRemoveLogin={removeLogin}
          />
        )}

        <div className="grid2">
          <Field label="Group" error={shown('group')} hint={<span className="muted">Optional; start and stop a group at once.</span>}>
            {(a) => (
              <>
                <input {...a} value={d.group} list="burrow-groups" onChange={(e) => set('group', e.target.value)} spellCheck={false} />
                <datalist id="burrow-groups">
                  {[...new Set(snapshot?.forwards.map((v) => v.forward.group).filter(Boolean))].map((g) => (
                    <option key={g} value={g} />
                  ))}
                </datalist>
              </>
            )}
          </Field>
          <Field label="Tags" error={shown('tags')} hint={<span className="muted">Optional, comma separated; the search finds forwards by tag.</span>}>
            {(a) => <input {...a} value={d.tags} onChange={(e) => set('tags', e.target.value)} placeholder="e.g. mail, work" spellCheck={false} />}
          </Field>
        </div>
        <Field label="Notes" error={shown('notes')}>
          {(a) => <input {...a} value={d.notes} onChange={(e) => set('notes', e.target.value)} />}
        </Field>
        <label className="check">
          <input type="checkbox" checked={d.autostart} onChange={(e) => set('autostart', e.target.checked)} /> Start when Burrow starts
        </label>
        {d.kind !== 'dynamic' && (
          <>
            <label className="check">
              <input
                type="checkbox"
                checked={d.healthCheckAtStart}
                onChange={(e) => set('healthCheckAtStart', e.target.checked)}
                aria-describedby="health-check-at-start-hint"
              />{' '}
              Check the destination when it starts
            </label>
            <p id="health-check-at-start-hint" className="field-hint muted">
              Opens one connection to the destination as soon as the tunnel is up, so a destination the server cannot reach (or will not forward to) shows at
              once. Off: the list says &quot;destination not yet tried&quot; until the first connection goes through.
            </p>
          </>
        )}

        {errors['(form)'] && (
          <p className="form-error" role="alert">
            {errors['(form)']}
          </p>
        )}
        {form.submitted && Object.keys(errors).length > 0 && !errors['(form)'] && (
          <p className="form-error" role="alert">
            Fix the fields marked above, then save again.
          </p>
        )}

        <footer className="dialog-actions">
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="button" onClick={() => save(false)} disabled={saving}>
            Save
          </button>
          <button type="submit" className="primary" disabled={saving}>
            Save and start
          </button>
        </footer>
      </form>
      {addingHost && (
        <Dialog title="Add host" onClose={() => setAddingHost(false)} wide className="stacked">
          <p className="stacked-context muted">
            For {d.name.trim() ? <strong>{d.name.trim()}</strong> : 'the forward'}: once saved, the new host is picked in its form, and what you typed there
            stays.
          </p>
          <HostForm onDone={(name) => void hostAdded(name)} />
        </Dialog>
      )}
    </Dialog>
  );
}
