// The stored forward's health check at start: off unless set, a clear message for
// a value that is not a boolean, and carried to the engine's spec only when on.
import { describe, expect, it } from 'vitest';
import { toEngineForward } from '../../../electron/profiles/to-engine';
import { parseForward, HostSchema, ForwardSchema } from '../../../shared/model';

const host = HostSchema.parse({ name: 'h', hostname: '127.0.0.1' });
const opts = { lookup: (n: string) => (n === 'h' ? host : undefined), settings: { keepalive: { interval: 15, countMax: 3 } } };
const fwd = { name: 'f', kind: 'local', listen: { host: '127.0.0.1', port: 1100 }, target: { host: 'm', port: 110 }, host: 'h' };

describe('healthCheckAtStart', () => {
  it('is off unless set, and reaches the engine only when on', () => {
    const off = parseForward(fwd);
    expect(off.healthCheckAtStart).toBeUndefined();
    expect(toEngineForward(off, opts).spec.healthCheckAtStart).toBeUndefined();
    expect(toEngineForward(parseForward({ ...fwd, healthCheckAtStart: true }), opts).spec.healthCheckAtStart).toBe(true);
    expect(toEngineForward(parseForward({ ...fwd, healthCheckAtStart: false }), opts).spec.healthCheckAtStart).toBeUndefined();
  });

  it('says what is wrong with a value that is not true or false', () => {
    expect(ForwardSchema.safeParse({ ...fwd, healthCheckAtStart: 'yes' }).error?.issues.map((i) => i.message)).toEqual([
      'Health check at start must be true or false (got "yes").',
    ]);
  });
});
