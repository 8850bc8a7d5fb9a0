// When a forward starts, and whether its destination is checked then.
import type { PartProps } from './draft';

export function StartOptions({ d, set }: Pick<PartProps, 'd' | 'set'>) {
  return (
    <>
      <label className="check">
        <input type="checkbox" checked={d.autostart} onChange={(e) => set('autostart', e.target.checked)} /> Start when Burrow starts
      </label>
      {/* A SOCKS proxy has no fixed destination to check. */}
      {d.kind !== 'dynamic' && (
        <>
          <label className="check">
            <input
              type="checkbox"
              checked={d.healthCheckAtStart}
              onChange={(e) => set('healthCheckAtStart', e.target.checked)}
              aria-describedby="health-check-at-start-hint"
            />{' '}
            Check the destination when it starts
          </label>
          <p id="health-check-at-start-hint" className="field-hint muted">
            Opens one connection to the destination as soon as the tunnel is up, so a destination the server cannot reach (or will not forward to) shows at
            once. Off: the list says &quot;destination not yet tried&quot; until the first connection goes through.
          </p>
        </>
      )}
    </>
  );
}
