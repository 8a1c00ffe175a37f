/**
 * Sparse log-scale histograms of milliseconds (runtime, queue wait), stored as JSON `{bucket: count}` in each
 * per-minute stats row. Bucket 0 holds [0, 1) ms; bucket b ≥ 1 holds [γ^(b-1), γ^b). With γ = 1.02 a
 * percentile read back from the buckets is within 1 % of the true one (the estimate is the harmonic mean of
 * the bucket's bounds), whatever the range: 1 ms to a day spans ~930 buckets, of which a task uses a few.
 */
export type Histogram = Record<number, number>;

export const GAMMA = 1.02;
const LOG_GAMMA = Math.log(GAMMA);

export function bucketOf(ms: number): number {
  if (!(ms >= 1)) return 0;
  return Math.floor(Math.log(ms) / LOG_GAMMA) + 1;
}

/** The value a bucket stands for: within (γ − 1) / (γ + 1) ≈ 1 % of any value in it. */
export function bucketValue(bucket: number): number {
  if (bucket <= 0) return 0;
  const lower = GAMMA ** (bucket - 1);
  const upper = GAMMA ** bucket;
  return (2 * lower * upper) / (lower + upper);
}

export function record(histogram: Histogram, ms: number, count = 1): void {
  const bucket = bucketOf(ms);
  histogram[bucket] = (histogram[bucket] ?? 0) + count;
}

export function mergeInto(target: Histogram, source: Histogram): void {
  for (const [bucket, count] of Object.entries(source)) {
    const b = Number(bucket);
    target[b] = (target[b] ?? 0) + count;
  }
}

export function countOf(histogram: Histogram): number {
  let n = 0;
  for (const count of Object.values(histogram)) n += count;
  return n;
}

/** The q-quantiles (0 < q ≤ 1) of a histogram, in ms rounded to 0.1; null when it is empty. */
export function quantiles(histogram: Histogram, qs: readonly number[]): (number | null)[] {
  const buckets = Object.entries(histogram)
    .map(([b, c]) => [Number(b), c] as const)
    .filter(([, c]) => c > 0)
    .sort((a, b) => a[0] - b[0]);
  const total = buckets.reduce((n, [, c]) => n + c, 0);
  return qs.map((q) => {
    if (total === 0) return null;
    // the nearest-rank definition: the smallest value with at least q of the observations at or below it
    const rank = Math.max(1, Math.ceil(q * total));
    let seen = 0;
    for (const [bucket, count] of buckets) {
      seen += count;
      if (seen >= rank) return Math.round(bucketValue(bucket) * 10) / 10;
    }
    return null;
  });
}

export function parseHistogram(json: string | null | undefined): Histogram {
  if (!json) return {};
  try {
    const parsed = JSON.parse(json) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as Histogram) : {};
  } catch {
    return {};
  }
}
