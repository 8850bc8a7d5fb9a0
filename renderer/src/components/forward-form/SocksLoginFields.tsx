// A SOCKS (dynamic) forward's login: the user name is saved with the forward,
// the password only in the secret store (kept, replaced or forgotten when
// editing), or asked for when the forward starts.
import { SECRET_KEPT } from '../../secret-words';
import { TextField } from '../Field';
import { StoredSecret } from '../StoredSecret';

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
      <TextField
        label="SOCKS user name"
        error={props.errors.user}
        hint="Optional: SOCKS5 clients must then log in, so other users of this computer cannot use the proxy."
        value={props.user}
        onValue={props.onUser}
        placeholder="No login"
        spellCheck={false}
        autoComplete="off"
      />
      <TextField
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
            `${SECRET_KEPT}; leave empty to be asked when the forward starts.`
          ) : (
            'Needs a user name; never saved in the profile file.'
          )
        }
        type="password"
        value={props.password}
        onValue={props.onPassword}
        placeholder={props.passwordStored && login ? 'Stored (unchanged)' : ''}
        autoComplete="new-password"
      />
    </div>
  );
}
