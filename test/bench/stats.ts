// Small numeric helpers for the benchmark: percentiles, medians, formatting.
export const MiB = 1024 * 1024;

/** Nearest-rank percentile of unsorted numbers (p in 0..100). NaN when empty. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

export const median = (values: number[]): number => percentile(values, 50);

export function ratio(burrow: number, openssh: number): number {
  return openssh > 0 ? burrow / openssh : NaN;
}

export function fmt(n: number, digits = 1): string {
  if (!Number.isFinite(n)) return 'n/a';
  return n.toFixed(digits);
}

export const fmtRatio = (r: number): string => (Number.isFinite(r) ? `${r.toFixed(2)}x` : 'n/a');
