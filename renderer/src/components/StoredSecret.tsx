// The one look for a secret kept in the secret store (a host's password or key
// passphrase, a SOCKS proxy's password): that one is stored, that typing
// replaces it, and a link to forget it; or, once it is to be forgotten, that
// saving does so. The secret itself never reaches the window.
import type { ReactNode } from 'react';

export type SecretWhat = 'password' | 'passphrase';

export function StoredSecret(props: {
  what: SecretWhat;
  /** Saving forgets it (the person asked, or what it belongs to changed). */
  forgetting: boolean;
  /** Said after "A password is stored", e.g. " (it stays with the new user name)". */
  note?: ReactNode;
  /** The link that forgets it ("Forget", "Remove login"). */
  forget?: { label: string; run: () => void };
  /** What saving does while forgetting; default "The stored password is forgotten when you save." */
  forgettingText?: ReactNode;
  /** Takes "forget" back. */
  keep?: () => void;
}) {
  if (props.forgetting) {
    return (
      <p className="stored-secret note" role="status">
        {props.forgettingText ?? `The stored ${props.what} is forgotten when you save.`}
        {props.keep && (
          <>
            {' '}
            <button type="button" className="link" onClick={props.keep}>
              Keep it
            </button>
          </>
        )}
      </p>
    );
  }
  return (
    <p className="stored-secret" role="status">
      A {props.what} is stored{props.note}. Leave this empty to keep it, or type a new one to replace it.
      {props.forget && (
        <>
          {' '}
          <button type="button" className="link" onClick={props.forget.run}>
            {props.forget.label}
          </button>
        </>
      )}
    </p>
  );
}
