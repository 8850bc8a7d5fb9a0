// The details pane's live chart: bytes per second in and out over the last minute.
import { HISTORY, type Rate } from '../store';
import { rate } from '../format';

export function ThroughputChart({ rates }: { rates: Rate[] }) {
  const w = 360;
  const h = 120;
  const max = Math.max(1024, ...rates.map((r) => Math.max(r.in, r.out)));
  const step = w / (HISTORY - 1);
  const offset = HISTORY - rates.length;
  const line = (pick: (r: Rate) => number) =>
    rates.map((r, i) => `${((offset + i) * step).toFixed(1)},${(h - 2 - (pick(r) / max) * (h - 14)).toFixed(1)}`).join(' ');
  const last = rates.at(-1);
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${w} ${h}`} preserveAspectRatio="none" role="img" aria-label={`Throughput: ${rate(last?.in ?? 0)} in, ${rate(last?.out ?? 0)} out`}>
        {[0.25, 0.5, 0.75].map((f) => (
          <line key={f} x1="0" x2={w} y1={h * f} y2={h * f} className="chart-grid" />
        ))}
        {rates.length > 1 && <polyline points={line((r) => r.out)} className="chart-out" />}
        {rates.length > 1 && <polyline points={line((r) => r.in)} className="chart-in" />}
      </svg>
      <figcaption>
        <span className="legend legend-in">In {rate(last?.in ?? 0)}</span>
        <span className="legend legend-out">Out {rate(last?.out ?? 0)}</span>
        <span className="muted">scale {rate(max)}</span>
      </figcaption>
    </figure>
  );
}
