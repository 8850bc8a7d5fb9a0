// Add or edit a forward. Validated as you type with the shared ForwardSchema;
// warns about non-loopback binds and privileged ports, and checks whether the
// local port is free, offering the next free one. A SOCKS (dynamic) forward can
// require a login: the user name is saved with it, the password only in the
// secret store (kept, replaced or forgotten when editing).
import type { ForwardInput } from '../../../../shared/model';
import { useForm } from '../../hooks/useForm';
import { useSnapshot } from '../../hooks/useStore';
import { store } from '../../store';
import { Dialog } from '../Dialog';
import { TextField } from '../Field';
import { FormProblems } from '../FormProblems';
import { fieldOf, hasStoredPassword, toDraft, type Draft } from './draft';
import { GroupingFields } from './GroupingFields';
import { AddHostDialog, HostChoice, useAddHost } from './HostChoice';
import { KindPicker } from './KindPicker';
import { ListenFields } from './ListenFields';
import { SocksLoginFields } from './SocksLoginFields';
import { StartOptions } from './StartOptions';
import { TargetFields } from './TargetFields';
import { useForwardValidation } from './useForwardValidation';
import { useSaveForward } from './useSaveForward';
import { VariantField } from './VariantField';

export function ForwardForm(props: { name?: string; draft?: Partial<ForwardInput>; onClose: () => void }) {
  const snapshot = useSnapshot();
  const hosts = snapshot?.hosts ?? [];
  const original = props.name ? store.forward(props.name)?.forward : undefined;
  const base: Partial<ForwardInput> = original ?? props.draft ?? {};
  const form = useForm<Draft>(() => toDraft(base, hosts[0]?.host.name ?? ''), { fieldOf });
  const { draft: d, set } = form;
  const addHost = useAddHost((name) => set('host', name));
  const validation = useForwardValidation(d, base, original, form.serverErrors);
  const { errors } = validation;
  const { save, saving } = useSaveForward(form, validation, original, props.onClose);
  const shown = (field: string) => form.shown(errors, field);
  const part = { d, set, shown };

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
        <KindPicker value={d.kind} onValue={(k) => set('kind', k)} />
        <div className="grid2">
          <TextField
            label="Name"
            error={shown('name')}
            value={d.name}
            onValue={(v) => set('name', v)}
            autoFocus
            placeholder="e.g. pop3-mail"
            spellCheck={false}
          />
          <HostChoice value={d.host} onValue={(v) => set('host', v)} hosts={hosts} error={shown('host')} addHost={addHost} />
        </div>
        {d.kind !== 'dynamic' && <VariantField kind={d.kind} value={d.variant} onValue={(v) => set('variant', v)} />}
        <ListenFields {...part} original={original} />
        {d.kind === 'dynamic' ? (
          <SocksLoginFields
            user={d.socksUser}
            password={d.socksPassword}
            savedUser={original?.socksUser}
            passwordStored={hasStoredPassword(original)}
            canStore={snapshot?.secretStoreAvailable ?? false}
            errors={{ user: shown('socksUser'), password: shown('secret') }}
            onUser={(v) => set('socksUser', v)}
            onPassword={(v) => set('socksPassword', v)}
            onRemoveLogin={() => {
              form.setDraft((cur) => ({ ...cur, socksUser: '', socksPassword: '' }));
              form.touch('socksUser', 'secret');
            }}
          />
        ) : (
          <TargetFields {...part} />
        )}
        <GroupingFields {...part} />
        <StartOptions d={d} set={set} />
        <FormProblems errors={errors} submitted={form.submitted} />
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
      {addHost.adding && <AddHostDialog forwardName={d.name} addHost={addHost} />}
    </Dialog>
  );
}
