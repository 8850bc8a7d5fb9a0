// A host's password or key passphrase: typed here (kept in the secret store
// when there is one), or the one already stored, shown (never its value),
// kept, replaced or forgotten; forgotten too when the method or key file it
// belongs to changes.
import { useState } from 'react';
import type { Host } from '../../../../shared/model';
import { useSnapshot } from '../../hooks/useStore';
import { SECRET_KEPT } from '../../secret-words';
import { TextField } from '../Field';
import { StoredSecret } from '../StoredSecret';
import { AUTH_LABEL, type Draft, type PartProps } from './draft';

/** What is stored for the host being edited, whether saving forgets it, and the secret saving sends. */
export function useHostSecret(d: Draft, original: Host | undefined) {
  const snapshot = useSnapshot();
  const [forget, setForget] = useState(false);
  const canStore = snapshot?.secretStoreAvailable ?? false;
  const stored = !!original && (snapshot?.hosts.find((h) => h.host.name === original.name)?.hasStoredSecret ?? false);
  /** The stored secret still belongs to what the form says (the same method, and key file). */
  const sameOwner = !!original && d.method === original.auth.method && (d.method !== 'key' || d.keyPath.trim() === (original.auth.keyPath ?? ''));
  const asked = d.method === 'password' || d.method === 'key';
  return {
    canStore,
    stored,
    sameOwner,
    forget,
    setForget,
    /** undefined keeps what is stored, null forgets it, a string replaces it. */
    toSend: asked && canStore && d.secret ? d.secret : stored && sameOwner && forget ? null : undefined,
  };
}

export function SecretField({ d, set, original, secret }: Pick<PartProps, 'd' | 'set'> & { original?: Host; secret: ReturnType<typeof useHostSecret> }) {
  const label = d.method === 'password' ? 'Password' : d.method === 'key' ? 'Key passphrase' : null;
  const note = secret.stored && original ? <StoredNote d={d} original={original} secret={secret} set={set} /> : null;
  if (!label) return note;
  return (
    <TextField
      label={label}
      hint={
        note ??
        (secret.canStore
          ? `Optional. ${SECRET_KEPT}; leave empty to be asked when connecting.`
          : 'No safe secret store here: Burrow asks when it connects and keeps nothing.')
      }
      type="password"
      value={d.secret}
      onValue={(v) => {
        // Typing a new one replaces the stored one rather than forgetting it.
        if (v) secret.setForget(false);
        set('secret', v);
      }}
      placeholder={secret.stored && secret.sameOwner && !secret.forget ? 'Stored (unchanged)' : ''}
      autoComplete="off"
    />
  );
}

function StoredNote({ d, set, original, secret }: Pick<PartProps, 'd' | 'set'> & { original: Host; secret: ReturnType<typeof useHostSecret> }) {
  const what = original.auth.method === 'key' ? 'passphrase' : 'password';
  if (secret.sameOwner)
    return (
      <StoredSecret
        what={what}
        forgetting={secret.forget}
        forget={{
          label: 'Forget',
          run: () => {
            secret.setForget(true);
            set('secret', '');
          },
        }}
        keep={() => secret.setForget(false)}
      />
    );
  const owner = original.auth.method === 'key' ? `the key file ${original.auth.keyPath}` : `the ${AUTH_LABEL[original.auth.method].toLowerCase()} method`;
  const other = d.method === 'key' && original.auth.method === 'key' ? 'key file' : 'method';
  return <StoredSecret what={what} forgetting forgettingText={`The stored ${what} belongs to ${owner}: saving with another ${other} forgets it.`} />;
}
