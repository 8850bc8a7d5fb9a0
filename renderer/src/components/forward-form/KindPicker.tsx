// The forward's kind: local, remote or dynamic, each with a line in plain words.
import type { ForwardKind } from '../../../../shared/forward-spec';
import { KINDS } from '../../forward-meta';

export function KindPicker(props: { value: ForwardKind; onValue: (k: ForwardKind) => void }) {
  return (
    <fieldset className="kinds">
      <legend>Kind</legend>
      {KINDS.map((k) => (
        <label key={k.kind} className={`kind-option ${props.value === k.kind ? 'checked' : ''}`}>
          <input type="radio" name="kind" value={k.kind} checked={props.value === k.kind} onChange={() => props.onValue(k.kind)} />
          <span className="kind-title">{k.title}</span>
          <span className="kind-line">{k.line}</span>
        </label>
      ))}
    </fieldset>
  );
}
