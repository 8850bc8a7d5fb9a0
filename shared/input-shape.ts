// Limits on the shape of data that comes from outside (a request over IPC or
// the WebSocket, the profile file): nesting depth, list and text lengths, how
// many values in all, and plain data only. They are checked before schema
// validation, because zod walks every element and formats every issue before
// its own max() checks apply, and a message that shows a value could walk it.
// The walk itself is iterative, so no depth can overflow the stack.
// Pure: no Node, no DOM.

export interface ShapeLimits {
  /** Levels of lists and objects inside one another (the top value is level 0). */
  maxDepth: number;
  maxArrayLength: number;
  maxStringLength: number;
  /** Fields of one object. */
  maxKeys: number;
  maxKeyLength: number;
  /** Values in all (every list, object, text, number...). */
  maxValues: number;
  /** Characters of text in all (field names included). */
  maxTotalChars: number;
}

export interface ShapeProblem {
  /** Where: the field names and list positions from the top. */
  path: (string | number)[];
  /** What is wrong and what is accepted, without the field name: "is nested more than 16 levels deep; at most 16 are accepted." */
  message: string;
}

/** "forward.name.0.0", or "(input)" for the top. Long field names and deep paths are shortened ("a.b.0.0.0..."). */
export function fieldOf(path: readonly (string | number)[]): string {
  if (path.length === 0) return '(input)';
  const parts = path.slice(0, 6).map((p) => (typeof p === 'string' && p.length > 40 ? `${p.slice(0, 37)}...` : String(p)));
  return parts.join('.') + (path.length > 6 ? '...' : '');
}

/** 'Map', 'Date', 'Uint8Array', ... for an object that is not a plain object or list. */
function kindOf(v: object): string {
  return Object.prototype.toString.call(v).slice(8, -1);
}

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

const PLAIN = 'send plain data instead (text, numbers, true/false, null, lists and objects)';

/**
 * The places where `value` breaks `limits` (at most `max` of them, in the
 * order met). Nothing under a place that breaks a limit is looked at. With
 * `prune`, those places are also removed from `value` (object fields deleted,
 * list items set to undefined): only for a value that is yours to change.
 */
export function shapeProblems(value: unknown, limits: ShapeLimits, opts: { max?: number; prune?: boolean } = {}): ShapeProblem[] {
  const max = opts.max ?? 1;
  const problems: ShapeProblem[] = [];
  let values = 0;
  let chars = 0;
  type Item = { v: unknown; path: (string | number)[]; parent?: Record<string | number, unknown>; key?: string | number };
  const stack: Item[] = [{ v: value, path: [] }];
  const report = (item: Item, message: string) => {
    problems.push({ path: item.path, message });
    if (opts.prune && item.parent && item.key !== undefined) {
      if (Array.isArray(item.parent)) item.parent[item.key as number] = undefined;
      else delete item.parent[item.key];
    }
  };
  walk: while (stack.length > 0 && problems.length < max) {
    const item = stack.pop()!;
    const v = item.v;
    if (++values > limits.maxValues) {
      problems.push({ path: [], message: `holds more than ${limits.maxValues} values in all; send less.` });
      break;
    }
    switch (typeof v) {
      case 'string':
        if (v.length > limits.maxStringLength) report(item, `is ${v.length} characters long; at most ${limits.maxStringLength} are accepted.`);
        else if ((chars += v.length) > limits.maxTotalChars) break walk;
        continue;
      case 'number':
      case 'boolean':
      case 'undefined':
        continue;
      case 'bigint':
        report(item, 'is a BigInt; send a plain number instead.');
        continue;
      case 'symbol':
      case 'function':
        report(item, `is a ${typeof v}; ${PLAIN}.`);
        continue;
    }
    if (v === null) continue;
    const obj = v as Record<string | number, unknown>;
    const depth = item.path.length;
    if (Array.isArray(obj)) {
      if (obj.length > limits.maxArrayLength) report(item, `is a list of ${obj.length} items; at most ${limits.maxArrayLength} are accepted.`);
      else if (depth >= limits.maxDepth && obj.length > 0)
        report(item, `is nested more than ${limits.maxDepth} levels deep; at most ${limits.maxDepth} are accepted.`);
      // Pushed last first, so that items are met in order; holes of a sparse list are read as undefined.
      else for (let i = obj.length - 1; i >= 0; i--) stack.push({ v: obj[i], path: [...item.path, i], parent: obj, key: i });
      continue;
    }
    if (!isPlainObject(obj)) {
      report(item, `is a ${kindOf(obj)}; ${PLAIN}.`);
      continue;
    }
    const keys = Object.keys(obj);
    const long = keys.find((k) => k.length > limits.maxKeyLength);
    if (keys.length > limits.maxKeys) report(item, `has ${keys.length} fields; at most ${limits.maxKeys} are accepted.`);
    else if (keys.includes('__proto__')) report(item, "has a field named '__proto__', which is not accepted.");
    else if (long !== undefined) report(item, `has a field name ${long.length} characters long; at most ${limits.maxKeyLength} are accepted.`);
    else if (depth >= limits.maxDepth && keys.length > 0)
      report(item, `is nested more than ${limits.maxDepth} levels deep; at most ${limits.maxDepth} are accepted.`);
    else {
      for (const k of keys) chars += k.length;
      if (chars > limits.maxTotalChars) break;
      for (let i = keys.length - 1; i >= 0; i--) stack.push({ v: obj[keys[i]], path: [...item.path, keys[i]], parent: obj, key: keys[i] });
    }
  }
  if (chars > limits.maxTotalChars) problems.push({ path: [], message: `holds more than ${limits.maxTotalChars} characters of text in all; send less.` });
  return problems;
}
