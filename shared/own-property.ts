// Looking a name up in an object used as a dictionary: only its own fields
// count. `record[name]` would find Object.prototype's constructor, toString,
// valueOf... for a forward, command or option of that name.
// Pure: no Node, no DOM.

/** record[key] when record has its own field `key`, else undefined. */
export function own<V>(record: Readonly<Record<string, V>>, key: string): V | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
