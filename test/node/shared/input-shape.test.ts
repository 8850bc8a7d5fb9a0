// The shape limits checked before schema validation (shared/input-shape.ts):
// each limit gives its own message, nothing under a broken limit is walked,
// and pruning removes exactly the places reported.
import { describe, expect, it } from 'vitest';
import { shapeProblems, type ShapeLimits } from '../../../shared/input-shape';

const LIMITS: ShapeLimits = { maxDepth: 3, maxArrayLength: 4, maxStringLength: 10, maxKeys: 3, maxKeyLength: 5, maxValues: 20, maxTotalChars: 30 };
const first = (v: unknown) => shapeProblems(v, LIMITS)[0] ?? null;

describe('shapeProblems', () => {
  it('accepts plain data within every limit', () => {
    expect(shapeProblems({ a: [1, 'x', null, { b: true }], c: undefined }, LIMITS)).toEqual([]);
    expect(shapeProblems(Object.create(null), LIMITS)).toEqual([]);
  });

  it('names the place and the limit', () => {
    expect(first({ a: [[['x']]] })).toEqual({ path: ['a', 0, 0], message: 'is nested more than 3 levels deep; at most 3 are accepted.' });
    expect(first({ a: [1, 2, 3, 4, 5] })).toEqual({ path: ['a'], message: 'is a list of 5 items; at most 4 are accepted.' });
    expect(first({ a: 'x'.repeat(11) })).toEqual({ path: ['a'], message: 'is 11 characters long; at most 10 are accepted.' });
    expect(first({ a: { b: 1, c: 2, d: 3, e: 4 } })).toEqual({ path: ['a'], message: 'has 4 fields; at most 3 are accepted.' });
    expect(first({ a: { longer: 1 } })).toEqual({ path: ['a'], message: 'has a field name 6 characters long; at most 5 are accepted.' });
    expect(first(JSON.parse('{"a":{"__proto__":1}}'))).toEqual({ path: ['a'], message: "has a field named '__proto__', which is not accepted." });
    expect(first([1n])).toEqual({ path: [0], message: 'is a BigInt; send a plain number instead.' });
    expect(first({ f: () => 1 })?.message).toBe('is a function; send plain data instead (text, numbers, true/false, null, lists and objects).');
    expect(first({ m: new Map() })?.message).toMatch(/^is a Map; /);
    expect(
      first([
        [1, 2, 3, 4],
        [1, 2, 3, 4],
        [1, 2, 3, 4],
        [1, 2, 3, 4],
      ]),
    ).toEqual({ path: [], message: 'holds more than 20 values in all; send less.' });
    expect(first(['x'.repeat(10), 'x'.repeat(10), 'x'.repeat(10), 'x'])).toEqual({
      path: [],
      message: 'holds more than 30 characters of text in all; send less.',
    });
  });

  it('a cycle is nesting without end', () => {
    const o: Record<string, unknown> = {};
    o.o = o;
    expect(first(o)).toEqual({ path: ['o', 'o', 'o'], message: 'is nested more than 3 levels deep; at most 3 are accepted.' });
  });

  it('reports up to max places, and prunes them when asked', () => {
    const v = { a: 'x'.repeat(11), b: [1n, 2], c: 'ok' };
    expect(shapeProblems(v, LIMITS, { max: 1 })).toHaveLength(1);
    expect(shapeProblems(v, LIMITS, { max: 5, prune: true }).map((p) => p.path)).toEqual([['a'], ['b', 0]]);
    expect(v).toEqual({ b: [undefined, 2], c: 'ok' });
    expect(shapeProblems(v, LIMITS)).toEqual([]);
  });
});
