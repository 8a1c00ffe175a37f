/** Small, dependency-free statistics for the benchmark: medians across runs, percentiles within one. */

export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
}

/** Nearest-rank percentile of an ascending array; NaN when empty. */
export function percentileOfSorted(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function percentiles(values: readonly number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    p50: percentileOfSorted(sorted, 50),
    p90: percentileOfSorted(sorted, 90),
    p99: percentileOfSorted(sorted, 99),
  };
}

/** The median; the mean of the two middle values for an even count; NaN when empty or when any is NaN. */
export function median(values: readonly number[]): number {
  if (values.length === 0 || values.some(Number.isNaN)) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** ours / plain; NaN when either is missing or plain is 0. */
export function ratio(ours: number, plain: number): number {
  return Number.isFinite(ours) && Number.isFinite(plain) && plain !== 0 ? ours / plain : NaN;
}

/** Events per second over a span measured in milliseconds. */
export function perSecond(count: number, elapsedMs: number): number {
  return elapsedMs > 0 ? (count * 1000) / elapsedMs : NaN;
}
