// Who logs in and how: the user, the authentication method with its key file
// (or what the method does), and the password or passphrase.
import { AUTH_METHODS, type Host } from '../../../../shared/model';
import { SelectField, TextField } from '../Field';
import { AUTH_LABEL, type PartProps } from './draft';
import { KeyFilePicker } from './KeyFilePicker';
import { SecretField, type useHostSecret } from './SecretField';

const METHOD_OPTIONS = AUTH_METHODS.map((m) => ({ value: m, label: AUTH_LABEL[m] }));

const METHOD_TEXT: Partial<Record<Host['auth']['method'], string>> = {
  agent:
    'Uses the keys in your running ssh-agent (SSH_AUTH_SOCK, Pageant on Windows). With no agent running, Burrow tries your usual key files (~/.ssh/id_ed25519, id_ecdsa, id_rsa), then asks for a password, as ssh does.',
  'keyboard-interactive': 'Burrow asks for codes in a dialog when it connects.',
};

export function LoginFields(props: PartProps & { original?: Host; secret: ReturnType<typeof useHostSecret> }) {
  const { d, set, shown } = props;
  return (
    <>
      <div className="grid3">
        <TextField label="User" error={shown('user')} hint="Empty: your local user name." value={d.user} onValue={(v) => set('user', v)} spellCheck={false} />
        <SelectField
          label="Authentication"
          error={d.method !== 'key' ? shown('auth') : undefined}
          value={d.method}
          onValue={(v) => set('method', v)}
          options={METHOD_OPTIONS}
        />
        {d.method === 'key' ? (
          <KeyFilePicker value={d.keyPath} onChange={(v) => set('keyPath', v)} error={shown('keyPath') ?? shown('auth')} />
        ) : (
          <div className="field muted small-print">{METHOD_TEXT[d.method] ?? ''}</div>
        )}
      </div>
      <SecretField d={d} set={set} original={props.original} secret={props.secret} />
    </>
  );
}
