// Add or edit an SSH host: address, user, authentication (agent, key file
// picked from ~/.ssh or typed, password, one-time codes), jump chain,
// keepalive, host key checking, algorithms, and a test connection button.
import type { Host, HostInput } from '../../../../shared/model';
import { useForm } from '../../hooks/useForm';
import { TextField } from '../Field';
import { FormProblems } from '../FormProblems';
import { ALGORITHM_FIELDS, AlgorithmFields } from './AlgorithmFields';
import { ConnectionFields } from './ConnectionFields';
import { ConnectionTestResult, useConnectionTest } from './ConnectionTest';
import { fieldOf, toDraft, type Draft } from './draft';
import { JumpChainPicker } from './JumpChainPicker';
import { LoginFields } from './LoginFields';
import { useHostSecret } from './SecretField';
import { useHostValidation } from './useHostValidation';
import { useSaveHost } from './useSaveHost';

export function HostForm(props: { original?: Host; onDone: (name?: string) => void }) {
  const form = useForm<Draft>(() => toDraft(props.original), { fieldOf });
  const { draft: d, set } = form;
  const validation = useHostValidation(d, props.original, form.serverErrors);
  const { errors, parsed, algorithmErrors } = validation;
  const shown = (f: string) => form.shown(errors, f);
  const part = { d, set, shown };
  const secret = useHostSecret(d, props.original);
  const connection = useConnectionTest();
  const { save, saving } = useSaveHost(form, validation, secret, props.original, props.onDone);
  const runTest = () => {
    form.submit();
    if (parsed.success) void connection.run(parsed.data as HostInput, d.secret);
  };
  // An algorithm field's problem shows once the section was touched, a save tried, or the main process refused it.
  const algorithmShown = (f: keyof typeof algorithmErrors) =>
    form.touched.algorithms || form.submitted || form.serverErrors[`algorithms.${f}`] ? algorithmErrors[f] : undefined;

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
        <TextField
          label="Name"
          error={shown('name')}
          hint="What Burrow calls it, e.g. mail (the Host alias in ssh_config); the server's address goes in Address."
          value={d.name}
          onValue={(v) => set('name', v)}
          autoFocus
          spellCheck={false}
        />
        <TextField
          label="Address"
          error={shown('hostname')}
          value={d.hostname}
          onValue={(v) => set('hostname', v)}
          placeholder="mail.example.com"
          spellCheck={false}
        />
        <TextField label="SSH port" error={shown('port')} value={d.port} onValue={(v) => set('port', v)} inputMode="numeric" />
      </div>
      <LoginFields {...part} original={props.original} secret={secret} />
      <JumpChainPicker
        value={d.jump}
        onChange={(next) => set('jump', next)}
        saved={validation.savedHosts}
        originalName={props.original?.name}
        draftName={d.name}
        error={shown('jump')}
      />
      <ConnectionFields {...part} />
      <AlgorithmFields
        texts={d.algorithms}
        checks={validation.checks}
        errors={Object.fromEntries(ALGORITHM_FIELDS.map((f) => [f.field, algorithmShown(f.field)]))}
        onChange={(field, text) => set('algorithms', { ...d.algorithms, [field]: text })}
      />
      <FormProblems errors={errors} submitted={form.submitted} />
      <ConnectionTestResult test={connection.test} />
      <footer className="dialog-actions">
        <button type="button" onClick={() => props.onDone()}>
          Cancel
        </button>
        <button type="button" onClick={runTest} disabled={connection.test === 'running'}>
          Test connection
        </button>
        <button type="submit" className="primary" disabled={saving}>
          Save host
        </button>
      </footer>
    </form>
  );
}
