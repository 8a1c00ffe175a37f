/**
 * Log-scale histograms of milliseconds (runtime, queue wait): in memory an array indexed by bucket (holes where
 * empty), stored sparse as JSON `[bucket, count, bucket, count, …]` in each per-minute stats row, which parses
 * and merges without string keys (`GET /stats` merges hundreds of rows). Bucket 0 holds [0, 1) ms; bucket b ≥ 1 holds [γ^(b-1), γ^b). With γ = 1.02 a
 * percentile read back from the buckets is within 1 % of the true one (the estimate is the harmonic mean of
 * the bucket's bounds), whatever the range: 1 ms to a day spans ~930 buckets, of which a task uses a few.
 */
export type Histogram = number[];

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
  for (let b = 0; b < source.length; b++) {
    const count = source[b];
    if (count) target[b] = (target[b] ?? 0) + count;
  }
}

export function countOf(histogram: Histogram): number {
  let n = 0;
  for (const count of histogram) n += count ?? 0;
  return n;
}

/** The q-quantiles (0 < q ≤ 1) of a histogram, in ms rounded to 0.1; null when it is empty. */
export function quantiles(histogram: Histogram, qs: readonly number[]): (number | null)[] {
  const total = countOf(histogram);
  return qs.map((q) => {
    if (total === 0) return null;
    // the nearest-rank definition: the smallest value with at least q of the observations at or below it
    const rank = Math.max(1, Math.ceil(q * total));
    let seen = 0;
    for (let bucket = 0; bucket < histogram.length; bucket++) {
      seen += histogram[bucket] ?? 0;
      if (seen >= rank) return Math.round(bucketValue(bucket) * 10) / 10;
    }
    return null;
  });
}

export function serializeHistogram(histogram: Histogram): string {
  const pairs: number[] = [];
  for (let b = 0; b < histogram.length; b++) {
    const count = histogram[b];
    if (count) pairs.push(b, count);
  }
  return JSON.stringify(pairs);
}

export function parseHistogram(json: string | null | undefined): Histogram {
  const histogram: Histogram = [];
  let pairs: unknown;
  try {
    pairs = JSON.parse(json ?? '[]');
  } catch {
    return histogram;
  }
  if (!Array.isArray(pairs)) return histogram;
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    const [bucket, count] = [pairs[i] as unknown, pairs[i + 1] as unknown];
    if (typeof bucket === 'number' && typeof count === 'number' && bucket >= 0 && bucket < 10_000) {
      histogram[bucket] = (histogram[bucket] ?? 0) + count;
    }
  }
  return histogram;
}
