// How the connection is kept and trusted: keepalive, host key checking and the
// known hosts file.
import { STRICT_HOST_KEY_CHECKING } from '../../../../shared/model';
import { useSnapshot } from '../../hooks/useStore';
import { SelectField, TextField } from '../Field';
import type { PartProps } from './draft';

const CHECKING_LABEL: Record<(typeof STRICT_HOST_KEY_CHECKING)[number], string> = {
  ask: 'Ask me about new keys (recommended)',
  yes: 'Only known keys (never ask)',
  'accept-new': 'Accept new keys, refuse changed ones',
  no: 'Accept any key (unsafe)',
};
const CHECKING_OPTIONS = STRICT_HOST_KEY_CHECKING.map((value) => ({ value, label: CHECKING_LABEL[value] }));

export function ConnectionFields({ d, set, shown }: PartProps) {
  const keepalive = useSnapshot()?.settings.keepalive;
  return (
    <>
      <div className="grid2">
        <TextField
          label="Keepalive interval (seconds)"
          error={shown('keepaliveInterval')}
          hint={`Empty: the default (${keepalive?.interval ?? 15} s); 0 turns it off.`}
          value={d.keepaliveInterval}
          onValue={(v) => set('keepaliveInterval', v)}
          inputMode="numeric"
          placeholder={String(keepalive?.interval ?? 15)}
        />
        <TextField
          label="Keepalive count"
          error={shown('keepaliveCount')}
          hint="Missed replies before reconnecting."
          value={d.keepaliveCount}
          onValue={(v) => set('keepaliveCount', v)}
          inputMode="numeric"
          placeholder={String(keepalive?.countMax ?? 3)}
        />
      </div>
      <div className="grid2">
        <SelectField
          label="Host key checking"
          error={shown('strictHostKeyChecking')}
          value={d.strict}
          onValue={(v) => set('strict', v)}
          options={CHECKING_OPTIONS}
        />
        <TextField
          label="Known hosts file"
          error={shown('knownHostsFile')}
          hint="Empty: ~/.ssh/known_hosts."
          value={d.knownHostsFile}
          onValue={(v) => set('knownHostsFile', v)}
          placeholder="~/.ssh/known_hosts"
          spellCheck={false}
        />
      </div>
    </>
  );
}
