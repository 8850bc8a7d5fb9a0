// The SSH host a forward goes through, and "Add a host…": the host form
// stacked on top of the forward form, so nothing typed there is lost; once
// saved, the new host is picked and its list takes the focus.
import { useEffect, useRef, useState } from 'react';
import type { HostView } from '../../../../shared/contract';
import { refresh } from '../../sync';
import { Dialog } from '../Dialog';
import { SelectField } from '../Field';
import { HostForm } from '../host-form/HostForm';

/** The state of "Add a host…": whether its dialog is open, and the host list to focus afterwards. */
export function useAddHost(pick: (name: string) => void) {
  const [adding, setAdding] = useState(false);
  const [focusHost, setFocusHost] = useState(false);
  const select = useRef<HTMLSelectElement>(null);
  useEffect(() => {
    if (adding || !focusHost) return;
    select.current?.focus();
    setFocusHost(false);
  }, [adding, focusHost]);
  return {
    adding,
    select,
    start: () => setAdding(true),
    cancel: () => setAdding(false),
    async done(name?: string) {
      if (name) {
        await refresh();
        pick(name);
        setFocusHost(true);
      }
      setAdding(false);
    },
  };
}

export function HostChoice(props: { value: string; onValue: (v: string) => void; hosts: HostView[]; error?: string; addHost: ReturnType<typeof useAddHost> }) {
  const options = props.hosts.map(({ host: h }) => ({ value: h.name, label: `${h.name} (${h.user ? `${h.user}@` : ''}${h.hostname})` }));
  return (
    <SelectField
      label="SSH host"
      error={props.error}
      hint={
        <button type="button" className="link" onClick={props.addHost.start}>
          Add a host…
        </button>
      }
      ref={props.addHost.select}
      value={props.value}
      onValue={props.onValue}
      options={props.value ? options : [{ value: '', label: 'Choose a host' }, ...options]}
    />
  );
}

/** The stacked host form; outside the forward's <form> element (a form inside a form would submit both). */
export function AddHostDialog(props: { forwardName: string; addHost: ReturnType<typeof useAddHost> }) {
  const name = props.forwardName.trim();
  return (
    <Dialog title="Add host" onClose={props.addHost.cancel} wide className="stacked">
      <p className="stacked-context muted">
        For {name ? <strong>{name}</strong> : 'the forward'}: once saved, the new host is picked in its form, and what you typed there stays.
      </p>
      <HostForm onDone={(n) => void props.addHost.done(n)} />
    </Dialog>
  );
}
