// Add or edit an SSH host: address, user, authentication (agent, key file
// picked from ~/.ssh or typed, password, one-time codes), jump chain,
// keepalive, host key checking, and a test connection button.
import { useMemo, useState } from 'react';
import type { HostTestResult } from '../../../shared/contract';
import { AUTH_METHODS, HostSchema, STRICT_HOST_KEY_CHECKING, type Algorithms, type Host, type HostInput } from '../../../shared/model';
import { ApiError, call, errorMessage } from '../api';
import { notify } from '../notices';
import { useSnapshot } from '../hooks/useStore';
import {
  ALGORITHM_FIELDS,
  AlgorithmFields,
  algorithmTexts,
  resolveAlgorithm,
  useAlgorithmChecks,
  type AlgorithmField,
  type AlgorithmTexts,
} from './AlgorithmFields';
import { SECRET_KEPT } from '../secret-words';
import { Field, firstByField } from './Field';
import { JumpChainPicker, chainProblem } from './JumpChainPicker';
import { KeyFilePicker } from './KeyFilePicker';
import { StoredSecret, type SecretWhat } from './StoredSecret';
import { useForm } from '../hooks/useForm';

const AUTH_LABEL: Record<(typeof AUTH_METHODS)[number], string> = {
  agent: 'SSH agent',
  key: 'Key file',
  password: 'Password',
  'keyboard-interactive': 'One-time code / keyboard-interactive',
};
const CHECKING_LABEL: Record<(typeof STRICT_HOST_KEY_CHECKING)[number], string> = {
  ask: 'Ask me about new keys (recommended)',
  yes: 'Only known keys (never ask)',
  'accept-new': 'Accept new keys, refuse changed ones',
  no: 'Accept any key (unsafe)',
};

interface Draft {
  name: string;
  hostname: string;
  port: string;
  user: string;
  method: Host['auth']['method'];
  keyPath: string;
  secret: string;
  /** Saved host names, outermost first. */
  jump: string[];
  keepaliveInterval: string;
  keepaliveCount: string;
  strict: Host['strictHostKeyChecking'];
  knownHostsFile: string;
  notes: string;
  /** Ciphers, KexAlgorithms, HostKeyAlgorithms, MACs as typed (ssh_config syntax). */
  algorithms: AlgorithmTexts;
}

const t = (s: string) => (s.trim() === '' ? undefined : s.trim());
const n = (s: string) => (s.trim() === '' ? undefined : /^\d+$/.test(s.trim()) ? Number(s.trim()) : s);

function toDraft(h: Host | undefined): Draft {
  return {
    name: h?.name ?? '',
    hostname: h?.hostname ?? '',
    port: String(h?.port ?? 22),
    user: h?.user ?? '',
    method: h?.auth.method ?? 'agent',
    keyPath: h?.auth.keyPath ?? '',
    secret: '',
    jump: h?.jump ?? [],
    keepaliveInterval: h?.keepalive ? String(h.keepalive.interval) : '',
    keepaliveCount: h?.keepalive ? String(h.keepalive.countMax) : '',
    strict: h?.strictHostKeyChecking ?? 'ask',
    knownHostsFile: h?.knownHostsFile ?? '',
    notes: h?.notes ?? '',
    algorithms: algorithmTexts(h?.algorithms),
  };
}

/** The host as the schema sees it; `algorithms`: the lists the engine resolved the typed values to. */
function toInput(d: Draft, original: Host | undefined, algorithms: Algorithms): Record<string, unknown> {
  const auth: Record<string, unknown> = { method: d.method };
  if (d.method === 'key') auth.keyPath = t(d.keyPath);
  if (original?.auth.identitiesOnly !== undefined && d.method === 'key') auth.identitiesOnly = original.auth.identitiesOnly;
  const out: Record<string, unknown> = {
    name: d.name.trim(),
    hostname: d.hostname.trim(),
    port: n(d.port),
    user: t(d.user),
    auth,
    jump: d.jump,
    strictHostKeyChecking: d.strict,
    knownHostsFile: t(d.knownHostsFile),
    notes: t(d.notes),
    algorithms: Object.keys(algorithms).length ? algorithms : undefined,
  };
  if (d.keepaliveInterval.trim() || d.keepaliveCount.trim()) out.keepalive = { interval: n(d.keepaliveInterval || '15'), countMax: n(d.keepaliveCount || '3') };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}

/** The error key of a draft field. */
const fieldOf = (k: keyof Draft): string =>
  k === 'method' ? 'auth' : k === 'keepaliveInterval' || k === 'keepaliveCount' ? 'keepalive' : k === 'strict' ? 'strictHostKeyChecking' : k;

const KEY_FILE_MISSING = 'Choose the private key to log in with: type its path (e.g. ~/.ssh/id_ed25519) or pick one from the list.';

export function HostForm(props: { original?: Host; onDone: (name?: string) => void }) {
  const snapshot = useSnapshot();
  const form = useForm<Draft>(() => toDraft(props.original), { fieldOf });
  const { draft: d, serverErrors, setServerErrors } = form;
  const [test, setTest] = useState<HostTestResult | 'running' | null>(null);
  const [saving, setSaving] = useState(false);
  const canStore = snapshot?.secretStoreAvailable ?? false;
  // A password or passphrase kept in the secret store: shown (never its value), kept, replaced or forgotten.
  const stored = !!props.original && (snapshot?.hosts.find((h) => h.host.name === props.original!.name)?.hasStoredSecret ?? false);
  const storedWhat: SecretWhat = props.original?.auth.method === 'key' ? 'passphrase' : 'password';
  const [forget, setForget] = useState(false);
  const savedHosts = useMemo(() => (snapshot?.hosts ?? []).map((h) => h.host), [snapshot]);

  const checks = useAlgorithmChecks(d.algorithms);
  const resolvedLists = useMemo(() => {
    const out: Record<string, string[]> = {};
    for (const f of ALGORITHM_FIELDS) {
      const c = checks[f.field];
      if (c?.status === 'ok') out[f.field] = c.list;
    }
    return out as Algorithms;
  }, [checks]);
  const input = useMemo(() => toInput(d, props.original, resolvedLists), [d, props.original, resolvedLists]);
  const parsed = useMemo(() => HostSchema.safeParse(input), [input]);
  // Per algorithm field: the resolver's verdict as you type, the schema's, and the main process's on save.
  const algorithmErrors = useMemo(() => {
    const out: Partial<Record<AlgorithmField, string>> = {};
    for (const f of ALGORITHM_FIELDS) {
      const c = checks[f.field];
      if (c?.status === 'error') out[f.field] = c.message;
    }
    if (!parsed.success)
      for (const i of parsed.error.issues) if (i.path[0] === 'algorithms' && typeof i.path[1] === 'string') out[i.path[1] as AlgorithmField] ??= i.message;
    for (const [k, v] of Object.entries(serverErrors)) if (k.startsWith('algorithms.')) out[k.slice('algorithms.'.length) as AlgorithmField] ??= v;
    return out;
  }, [checks, parsed, serverErrors]);
  const errors = useMemo(() => {
    // The key file has its own field (touched on its own), and the window's words for it.
    const issues = parsed.success ? [] : parsed.error.issues.filter((i) => i.path.join('.') !== 'auth.keyPath');
    const out = firstByField(issues.map((i) => ({ field: i.path.map(String).join('.'), message: i.message })));
    if (d.method === 'key' && !d.keyPath.trim()) out.keyPath = KEY_FILE_MISSING;
    else if (!parsed.success) {
      const keyIssue = parsed.error.issues.find((i) => i.path.join('.') === 'auth.keyPath');
      if (keyIssue) out.keyPath = keyIssue.message;
    }
    // The shared cross-host checks: its own jump host, hosts that are not saved, loops.
    const chain = out.jump ? null : chainProblem(savedHosts, props.original?.name, d.name, d.jump);
    if (chain) out.jump = chain;
    if (!out.name && snapshot?.hosts.some((h) => h.host.name === d.name.trim() && h.host.name !== props.original?.name))
      out.name = `A host named '${d.name.trim()}' exists already.`;
    const firstAlgorithmError = Object.values(algorithmErrors).find(Boolean);
    if (firstAlgorithmError) out.algorithms ??= firstAlgorithmError;
    return { ...out, ...serverErrors };
  }, [parsed, serverErrors, snapshot, savedHosts, d.name, d.jump, d.keyPath, d.method, props.original?.name, algorithmErrors]);
  const shown = (f: string) => form.shown(errors, f);
  const set = form.set;
  const secretKind = d.method === 'password' ? 'Password' : d.method === 'key' ? 'Key passphrase' : null;
  /** The stored secret still belongs to what the form says (the same method, and key file). */
  const sameOwner =
    !!props.original && d.method === props.original.auth.method && (d.method !== 'key' || d.keyPath.trim() === (props.original.auth.keyPath ?? ''));
  const keepsStored = stored && sameOwner && !forget;
  const storedNote = !stored ? null : sameOwner ? (
    <StoredSecret
      what={storedWhat}
      forgetting={forget}
      forget={{
        label: 'Forget',
        run: () => {
          setForget(true);
          set('secret', '');
        },
      }}
      keep={() => setForget(false)}
    />
  ) : (
    <StoredSecret
      what={storedWhat}
      forgetting
      forgettingText={`The stored ${storedWhat} belongs to ${props.original!.auth.method === 'key' ? `the key file ${props.original!.auth.keyPath}` : `the ${AUTH_LABEL[props.original!.auth.method].toLowerCase()} method`}: saving with another ${d.method === 'key' && props.original!.auth.method === 'key' ? 'key file' : 'method'} forgets it.`}
    />
  );

  const runTest = async () => {
    form.submit();
    if (!parsed.success) return;
    setTest('running');
    try {
      setTest(await call('host.test', { host: parsed.data as HostInput, secret: d.secret || undefined }));
    } catch (e) {
      setTest({ ok: false, error: { code: 'INTERNAL', message: errorMessage(e) } });
    }
  };

  const save = async () => {
    form.submit();
    // An algorithm value typed a moment ago may not be checked yet: saving waits for the resolver.
    const pending = ALGORITHM_FIELDS.some((f) => checks[f.field]?.status === 'checking');
    if ((!parsed.success && !pending) || Object.keys(errors).length) return form.refuse();
    setSaving(true);
    try {
      let host = parsed.success ? (parsed.data as HostInput) : null;
      if (pending) {
        const lists: Record<string, string[]> = {};
        const problems: Record<string, string> = {};
        for (const f of ALGORITHM_FIELDS) {
          if (d.algorithms[f.field].trim() === '') continue;
          const c = checks[f.field]?.status === 'ok' ? checks[f.field]! : await resolveAlgorithm(f.kind, d.algorithms[f.field]);
          if (c.status === 'ok') lists[f.field] = c.list;
          else if (c.status === 'error') problems[`algorithms.${f.field}`] = c.message;
        }
        if (Object.keys(problems).length) return setServerErrors(problems);
        const again = HostSchema.safeParse(toInput(d, props.original, lists as Algorithms));
        if (!again.success) return setServerErrors(firstByField(again.error.issues.map((i) => ({ field: i.path.map(String).join('.'), message: i.message }))));
        host = again.data as HostInput;
      }
      if (!host) return;
      const secret = secretKind && canStore && d.secret ? d.secret : props.original && stored && sameOwner && forget ? null : undefined;
      const r = props.original
        ? await call('host.update', { name: props.original.name, host, secret })
        : await call('host.add', { host, secret: secret ?? undefined });
      for (const w of r.warnings) notify({ tone: 'info', text: w.message }, 8000);
      props.onDone(r.host.host.name);
    } catch (e) {
      if (e instanceof ApiError && e.failure.issues?.length) {
        // "host.algorithms.kex" stays per field; the rest by their top-level field.
        const perAlgorithm = Object.fromEntries(
          e.failure.issues.filter((i) => i.field.startsWith('host.algorithms.')).map((i) => [i.field.slice('host.'.length), i.message]),
        );
        setServerErrors({
          ...firstByField(
            e.failure.issues.filter((i) => !i.field.startsWith('host.algorithms.')),
            'host.',
          ),
          ...perAlgorithm,
        });
      } else setServerErrors({ '(form)': errorMessage(e) });
    } finally {
      setSaving(false);
    }
  };

  return (
    <form
      ref={form.ref}
      className="form"
      noValidate
      aria-label={props.original ? `Edit host ${props.original.name}` : 'New host'}
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <div className="grid3">
        <Field
          label="Name"
          error={shown('name')}
          hint={<span className="muted">What Burrow calls it, e.g. mail (the Host alias in ssh_config); the server's address goes in Address.</span>}
        >
          {(a) => <input {...a} value={d.name} autoFocus onChange={(e) => set('name', e.target.value)} spellCheck={false} />}
        </Field>
        <Field label="Address" error={shown('hostname')}>
          {(a) => <input {...a} value={d.hostname} onChange={(e) => set('hostname', e.target.value)} placeholder="mail.example.com" spellCheck={false} />}
        </Field>
        <Field label="SSH port" error={shown('port')}>
          {(a) => <input {...a} value={d.port} inputMode="numeric" onChange={(e) => set('port', e.target.value)} />}
        </Field>
      </div>
      <div className="grid3">
        <Field label="User" error={shown('user')} hint={<span className="muted">Empty: your local user name.</span>}>
          {(a) => <input {...a} value={d.user} onChange={(e) => set('user', e.target.value)} spellCheck={false} />}
        </Field>
        <Field label="Authentication" error={d.method !== 'key' ? shown('auth') : undefined}>
          {(a) => (
            <select {...a} value={d.method} onChange={(e) => set('method', e.target.value as Draft['method'])}>
              {AUTH_METHODS.map((m) => (
                <option key={m} value={m}>
                  {AUTH_LABEL[m]}
                </option>
              ))}
            </select>
          )}
        </Field>
        {d.method === 'key' ? (
          <KeyFilePicker value={d.keyPath} onChange={(v) => set('keyPath', v)} error={shown('keyPath') ?? shown('auth')} />
        ) : (
          <div className="field muted small-print">
            {d.method === 'agent'
              ? 'Uses the keys in your running ssh-agent (SSH_AUTH_SOCK, Pageant on Windows). With no agent running, Burrow tries your usual key files (~/.ssh/id_ed25519, id_ecdsa, id_rsa), then asks for a password, as ssh does.'
              : d.method === 'keyboard-interactive'
                ? 'Burrow asks for codes in a dialog when it connects.'
                : ''}
          </div>
        )}
      </div>
      {secretKind ? (
        <Field
          label={secretKind}
          hint={
            storedNote ?? (
              <span className="muted">
                {canStore
                  ? `Optional. ${SECRET_KEPT}; leave empty to be asked when connecting.`
                  : 'No safe secret store here: Burrow asks when it connects and keeps nothing.'}
              </span>
            )
          }
        >
          {(a) => (
            <input
              {...a}
              type="password"
              value={d.secret}
              onChange={(e) => {
                // Typing a new one replaces the stored one rather than forgetting it.
                if (e.target.value) setForget(false);
                set('secret', e.target.value);
              }}
              placeholder={keepsStored ? 'Stored (unchanged)' : ''}
              autoComplete="off"
            />
          )}
        </Field>
      ) : (
        storedNote
      )}
      <JumpChainPicker
        value={d.jump}
        onChange={(next) => set('jump', next)}
        saved={savedHosts}
        originalName={props.original?.name}
        draftName={d.name}
        error={shown('jump')}
      />
      <div className="grid2">
        <Field
          label="Keepalive interval (seconds)"
          error={shown('keepalive')}
          hint={<span className="muted">Empty: the default ({snapshot?.settings.keepalive.interval ?? 15} s); 0 turns it off.</span>}
        >
          {(a) => (
            <input
              {...a}
              value={d.keepaliveInterval}
              inputMode="numeric"
              onChange={(e) => set('keepaliveInterval', e.target.value)}
              placeholder={String(snapshot?.settings.keepalive.interval ?? 15)}
            />
          )}
        </Field>
        <Field label="Keepalive count" hint={<span className="muted">Missed replies before reconnecting.</span>}>
          {(a) => (
            <input
              {...a}
              value={d.keepaliveCount}
              inputMode="numeric"
              onChange={(e) => set('keepaliveCount', e.target.value)}
              placeholder={String(snapshot?.settings.keepalive.countMax ?? 3)}
            />
          )}
        </Field>
      </div>
      <div className="grid2">
        <Field label="Host key checking" error={shown('strictHostKeyChecking')}>
          {(a) => (
            <select {...a} value={d.strict} onChange={(e) => set('strict', e.target.value as Draft['strict'])}>
              {STRICT_HOST_KEY_CHECKING.map((s) => (
                <option key={s} value={s}>
                  {CHECKING_LABEL[s]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Known hosts file" error={shown('knownHostsFile')} hint={<span className="muted">Empty: ~/.ssh/known_hosts.</span>}>
          {(a) => (
            <input
              {...a}
              value={d.knownHostsFile}
              onChange={(e) => set('knownHostsFile', e.target.value)}
              placeholder="~/.ssh/known_hosts"
              spellCheck={false}
            />
          )}
        </Field>
      </div>
      <AlgorithmFields
        texts={d.algorithms}
        checks={checks}
        errors={Object.fromEntries(
          ALGORITHM_FIELDS.map((f) => [
            f.field,
            form.touched.algorithms || form.submitted || serverErrors[`algorithms.${f.field}`] ? algorithmErrors[f.field] : undefined,
          ]),
        )}
        onChange={(field, text) => set('algorithms', { ...d.algorithms, [field]: text })}
      />
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
      <div className="test-result" role="status" aria-live="polite">
        {test === 'running' && <span className="muted">Connecting…</span>}
        {test &&
          test !== 'running' &&
          (test.ok ? (
            <span className="ok">Connected in {test.elapsedMs} ms.</span>
          ) : (
            <span className="error-text">Connection failed: {test.error?.message}</span>
          ))}
      </div>
      <footer className="dialog-actions">
        <button type="button" onClick={() => props.onDone()}>
          Cancel
        </button>
        <button type="button" onClick={runTest} disabled={test === 'running'}>
          Test connection
        </button>
        <button type="submit" className="primary" disabled={saving}>
          Save host
        </button>
      </footer>
    </form>
  );
}
