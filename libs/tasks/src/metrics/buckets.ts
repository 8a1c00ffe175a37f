/**
 * Upper bounds (seconds) of the runtime and queue-wait histograms: from a 5 ms task to the 360 s hard limit,
 * and waits of up to ten minutes. Fixed, because every process counts into the same Redis fields.
 */
export const DURATION_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600,
] as const;

/** The index of the first bucket that holds `seconds`; `DURATION_BUCKETS.length` is +Inf. */
export function bucketIndex(seconds: number, bounds: readonly number[] = DURATION_BUCKETS): number {
  for (let i = 0; i < bounds.length; i++) if (seconds <= bounds[i]) return i;
  return bounds.length;
}

/** A histogram as stored: observations per bucket (not cumulative, index = `bucketIndex`), sum, count. */
export interface StoredHistogram {
  buckets: Map<number, number>;
  sum: number;
  count: number;
}

/** One `_bucket` line of the exposition: the cumulative count at or below `le`. */
export interface CumulativeBucket {
  le: number | '+Inf';
  count: number;
}

/**
 * Prometheus's cumulative buckets from per-bucket counts (Redis keeps each bucket's own count: increments
 * from any process then simply add). The +Inf bucket equals `count`; a bucket index past the bounds (bounds
 * shortened since) counts in +Inf only.
 */
export function cumulativeBuckets(
  stored: StoredHistogram,
  bounds: readonly number[] = DURATION_BUCKETS,
): CumulativeBucket[] {
  const lines: CumulativeBucket[] = [];
  let running = 0;
  for (let i = 0; i < bounds.length; i++) {
    running += stored.buckets.get(i) ?? 0;
    lines.push({ le: bounds[i], count: running });
  }
  lines.push({ le: '+Inf', count: Math.max(stored.count, running) });
  return lines;
}
