// An on/off switch (role switch), named after what it switches.
export function Switch(props: { label: string; checked: boolean; busy?: boolean; disabled?: boolean; onChange: (on: boolean) => void; title?: string }) {
  return (
    <button
      type="button"
      role="switch"
      className="switch"
      aria-checked={props.checked}
      aria-label={props.label}
      aria-busy={props.busy || undefined}
      disabled={props.disabled}
      title={props.title}
      onClick={(e) => {
        e.stopPropagation();
        props.onChange(!props.checked);
      }}
    >
      <span className="switch-knob" aria-hidden="true" />
    </button>
  );
}
