// Throughput over the last minute as a tiny SVG line (in + out).
import { HISTORY, type Rate } from '../store';

export function Sparkline({ rates, width = 96, height = 22 }: { rates: Rate[]; width?: number; height?: number }) {
  const values = rates.map((r) => r.in + r.out);
  const max = Math.max(1, ...values);
  const step = width / (HISTORY - 1);
  const offset = HISTORY - values.length;
  const points = values.map((v, i) => `${((offset + i) * step).toFixed(1)},${(height - 1 - (v / max) * (height - 3)).toFixed(1)}`).join(' ');
  return (
    <svg className="sparkline" width={width} height={height} viewBox={`0 0 ${width} ${height}`} aria-hidden="true" focusable="false">
      <line x1="0" x2={width} y1={height - 0.5} y2={height - 0.5} className="sparkline-base" />
      {values.length > 1 && <polyline points={points} className="sparkline-line" />}
    </svg>
  );
}
