// How a forward is found and sorted in the list: its group, tags and notes.
import { useSnapshot } from '../../hooks/useStore';
import { Field, TextField } from '../Field';
import type { PartProps } from './draft';

export function GroupingFields({ d, set, shown }: PartProps) {
  const forwards = useSnapshot()?.forwards;
  return (
    <>
      <div className="grid2">
        <Field label="Group" error={shown('group')} hint="Optional; start and stop a group at once.">
          {(a) => (
            <>
              <input {...a} value={d.group} list="burrow-groups" onChange={(e) => set('group', e.target.value)} spellCheck={false} />
              <datalist id="burrow-groups">
                {[...new Set(forwards?.map((v) => v.forward.group).filter(Boolean))].map((g) => (
                  <option key={g} value={g} />
                ))}
              </datalist>
            </>
          )}
        </Field>
        <TextField
          label="Tags"
          error={shown('tags')}
          hint="Optional, comma separated; the search finds forwards by tag."
          value={d.tags}
          onValue={(v) => set('tags', v)}
          placeholder="e.g. mail, work"
          spellCheck={false}
        />
      </div>
      <TextField label="Notes" error={shown('notes')} value={d.notes} onValue={(v) => set('notes', v)} />
    </>
  );
}
