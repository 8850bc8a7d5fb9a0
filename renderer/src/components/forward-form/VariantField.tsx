// Which ends of a local or remote forward are Unix sockets, in words.
import { SelectField } from '../Field';
import type { Variant } from './draft';

const VARIANTS: Record<'local' | 'remote', { value: Variant; label: string }[]> = {
  local: [
    { value: 'tcp', label: 'A port here → host:port (the usual)' },
    { value: 'toSocket', label: 'A port here → a Unix socket on the server' },
    { value: 'fromSocket', label: 'A Unix socket here → host:port' },
  ],
  remote: [
    { value: 'tcp', label: 'A port on the server → host:port (the usual)' },
    { value: 'toSocket', label: 'A port on the server → a Unix socket here' },
    { value: 'fromSocket', label: 'A Unix socket on the server → host:port' },
  ],
};

export function VariantField(props: { kind: 'local' | 'remote'; value: Variant; onValue: (v: Variant) => void }) {
  return (
    <SelectField
      label="Variant"
      hint={`Like ssh ${props.kind === 'local' ? '-L' : '-R'}: each end is a TCP port or a Unix socket, not both sockets.`}
      value={props.value}
      onValue={props.onValue}
      options={VARIANTS[props.kind]}
    />
  );
}
