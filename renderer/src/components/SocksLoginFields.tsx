// A SOCKS (dynamic) forward's login: the user name is saved with the forward,
// the password only in the secret store (kept, replaced or forgotten when
// editing), or asked for when the forward starts.
import { SECRET_KEPT } from '../secret-words';
import { Field } from './Field';
import { StoredSecret } from './StoredSecret';

export function SocksLoginFields(props: {
  user: string;
  password: string;
  /** The user name saved with the forward being edited. */
  savedUser?: string;
  passwordStored: boolean;
  canStore: boolean;
  errors: { user?: string; password?: string };
  onUser: (v: string) => void;
  onPassword: (v: string) => void;
  onRemoveLogin: () => void;
}) {
  const login = props.user.trim() !== '';
  return (
    <div className="grid2">
      <Field
        label="SOCKS user name"
        error={props.errors.user}
        hint={<span className="muted">Optional: SOCKS5 clients must then log in, so other users of this computer cannot use the proxy.</span>}
      >
        {(a) => <input {...a} value={props.user} onChange={(e) => props.onUser(e.target.value)} placeholder="No login" spellCheck={false} autoComplete="off" />}
      </Field>
      <Field
        label="SOCKS password"
        error={props.errors.password}
        hint={
          props.passwordStored && login ? (
            <StoredSecret
              what="password"
              forgetting={false}
              note={props.user.trim() !== props.savedUser ? ' (it stays with the new user name)' : undefined}
              forget={{ label: 'Remove login', run: props.onRemoveLogin }}
            />
          ) : props.passwordStored && !login ? (
            <StoredSecret what="password" forgetting forgettingText="Without a user name the proxy has no login; saving forgets the stored password." />
          ) : !props.canStore && login ? (
            <p className="note" role="note">
              No safe secret store on this computer: the password is not saved. Burrow asks for it each time the forward starts.
            </p>
          ) : login ? (
            <span className="muted">{SECRET_KEPT}; leave empty to be asked when the forward starts.</span>
          ) : (
            <span className="muted">Needs a user name; never saved in the profile file.</span>
          )
        }
      >
        {(a) => (
          <input
            {...a}
            type="password"
            value={props.password}
            onChange={(e) => props.onPassword(e.target.value)}
            placeholder={props.passwordStored && login ? 'Stored (unchanged)' : ''}
            autoComplete="new-password"
          />
        )}
      </Field>
    </div>
  );
}
