// The jump chain of a host (ProxyJump): saved hosts in order, outermost first.
// Add one from a list of saved hosts, remove one, move one up or down (buttons,
// or Alt+↑/↓ on them). A host that would make the chain loop back to this one
// is refused with the shared validation's message (shared/model.ts referenceProblems).
import { useEffect, useId, useRef, useState } from 'react';
import { referenceProblems, type Host } from '../../../../shared/model';

/**
 * Why this chain cannot be saved for the host being edited, or null: the
 * shared cross-host checks (own jump host, unknown host, loops) on the saved
 * hosts with this one's draft in place of the saved one.
 */
export function chainProblem(saved: Host[], originalName: string | undefined, draftName: string, chain: string[]): string | null {
  const name = draftName.trim() || originalName || '(this host)';
  // Other hosts that jump through this one follow a rename, as the repository does on save.
  const others = saved.filter((h) => h.name !== originalName).map((h) => ({ ...h, jump: h.jump.map((j) => (j === originalName ? name : j)) }));
  const hosts = [...others, { ...(saved.find((h) => h.name === originalName) ?? ({} as Host)), name, jump: chain }];
  const at = hosts.length - 1;
  const p = referenceProblems({ hosts, forwards: [] }).find((x) => x.path[0] === 'hosts' && x.path[1] === at && x.path[2] === 'jump');
  return p?.message ?? null;
}

type FocusTarget = { name: string; dir: 'up' | 'down' } | null;

export function JumpChainPicker(props: {
  value: string[];
  onChange: (next: string[]) => void;
  saved: Host[];
  originalName?: string;
  draftName: string;
  error?: string;
}) {
  const id = useId();
  const { value, saved } = props;
  const [refused, setRefused] = useState<string | null>(null);
  const [focusAfter, setFocusAfter] = useState<FocusTarget>(null);
  const buttons = useRef(new Map<string, HTMLButtonElement>());
  const self = props.draftName.trim() || props.originalName;
  const candidates = saved.filter((h) => h.name !== props.originalName && h.name !== self && !value.includes(h.name));

  useEffect(() => {
    if (!focusAfter) return;
    const i = value.indexOf(focusAfter.name);
    // Keep the focus on the moved host: the same button, or the other one at either end of the list.
    const dir =
      (focusAfter.dir === 'up' && i === 0) || (focusAfter.dir === 'down' && i === value.length - 1)
        ? focusAfter.dir === 'up'
          ? 'down'
          : 'up'
        : focusAfter.dir;
    buttons.current.get(`${focusAfter.name}:${dir}`)?.focus();
    setFocusAfter(null);
  }, [value, focusAfter]);

  const move = (i: number, delta: -1 | 1) => {
    const j = i + delta;
    if (j < 0 || j >= value.length) return;
    const next = [...value];
    [next[i], next[j]] = [next[j], next[i]];
    props.onChange(next);
    setFocusAfter({ name: value[i], dir: delta < 0 ? 'up' : 'down' });
  };
  const remove = (i: number) => {
    props.onChange(value.filter((_, k) => k !== i));
    setRefused(null);
  };
  /** Adds a host at the end, or refuses it (false) with why. */
  const add = (pick: string): boolean => {
    const next = [...value, pick];
    const problem = chainProblem(saved, props.originalName, props.draftName, next);
    setRefused(problem);
    if (!problem) props.onChange(next);
    return !problem;
  };

  const error = refused ?? props.error;
  const hintId = `${id}-hint`;
  const errId = `${id}-err`;
  return (
    <fieldset className={`field jump-chain ${error ? 'has-error' : ''}`} aria-describedby={[error ? errId : '', hintId].filter(Boolean).join(' ')}>
      <legend>Jump hosts</legend>
      {value.length === 0 ? (
        <p className="muted jump-none">None: Burrow connects straight to this host.</p>
      ) : (
        <ol className="jump-list" aria-label="Jump hosts, outermost first">
          {value.map((j, i) => (
            <JumpHostRow
              key={j}
              name={j}
              first={i === 0}
              last={i === value.length - 1}
              onMove={(delta) => move(i, delta)}
              onRemove={() => remove(i)}
              buttonRef={(dir, b) => void (b ? buttons.current.set(`${j}:${dir}`, b) : buttons.current.delete(`${j}:${dir}`))}
            />
          ))}
        </ol>
      )}
      <AddJumpHost candidates={candidates} onPick={() => setRefused(null)} onAdd={add} />
      {error && (
        <p className="field-error" id={errId} role="alert">
          {error}
        </p>
      )}
      <div className="field-hint" id={hintId}>
        <span className="muted">Burrow goes through each in turn, outermost first, then to this host.</span>
      </div>
    </fieldset>
  );
}

function JumpHostRow(props: {
  name: string;
  first: boolean;
  last: boolean;
  onMove: (delta: -1 | 1) => void;
  onRemove: () => void;
  /** Where the move buttons are, to keep the focus on the host that moved. */
  buttonRef: (dir: 'up' | 'down', b: HTMLButtonElement | null) => void;
}) {
  const j = props.name;
  return (
    <li
      onKeyDown={(e) => {
        if (!e.altKey || (e.key !== 'ArrowUp' && e.key !== 'ArrowDown')) return;
        e.preventDefault();
        props.onMove(e.key === 'ArrowUp' ? -1 : 1);
      }}
    >
      <span className="mono jump-name">{j}</span>
      <span className="jump-actions">
        <button
          type="button"
          className="small"
          aria-label={`Move ${j} up`}
          title="Move up (Alt+↑)"
          disabled={props.first}
          ref={(b) => props.buttonRef('up', b)}
          onClick={() => props.onMove(-1)}
        >
          ↑
        </button>
        <button
          type="button"
          className="small"
          aria-label={`Move ${j} down`}
          title="Move down (Alt+↓)"
          disabled={props.last}
          ref={(b) => props.buttonRef('down', b)}
          onClick={() => props.onMove(1)}
        >
          ↓
        </button>
        <button type="button" className="small" aria-label={`Remove ${j}`} title="Remove" onClick={props.onRemove}>
          ×
        </button>
      </span>
    </li>
  );
}

/** A list of the saved hosts that can be added, and "Add jump host". */
function AddJumpHost(props: { candidates: Host[]; onPick: () => void; onAdd: (name: string) => boolean }) {
  const [pick, setPick] = useState('');
  const { candidates } = props;
  return (
    <div className="jump-add">
      <select
        aria-label="Jump host to add"
        value={pick}
        onChange={(e) => {
          setPick(e.target.value);
          props.onPick();
        }}
        disabled={candidates.length === 0}
      >
        <option value="">{candidates.length ? 'Choose a saved host…' : 'No other saved host'}</option>
        {candidates.map((h) => (
          <option key={h.name} value={h.name}>
            {h.name} ({h.user ? `${h.user}@` : ''}
            {h.hostname}){h.jump.length ? ` via ${h.jump.join(' → ')}` : ''}
          </option>
        ))}
      </select>
      <button
        type="button"
        className="small"
        onClick={() => {
          if (props.onAdd(pick)) setPick('');
        }}
        disabled={!pick}
      >
        Add jump host
      </button>
    </div>
  );
}
