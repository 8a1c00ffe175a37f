import { describe, expect, it } from '@jest/globals';
import {
  bucketOf,
  bucketValue,
  parseHistogram,
  quantiles,
  record,
  serializeHistogram,
  type Histogram,
} from './histogram.js';

describe('log-scale histograms', () => {
  it('gives back any value within 1 %', () => {
    for (const ms of [1, 2, 7, 99, 250, 1000, 12_345, 3_600_000]) {
      expect(Math.abs(bucketValue(bucketOf(ms)) - ms) / ms).toBeLessThanOrEqual(0.01);
    }
    expect(bucketValue(bucketOf(0))).toBe(0);
  });

  it('reads nearest-rank percentiles', () => {
    const h: Histogram = [];
    for (let i = 1; i <= 100; i++) record(h, i * 10);
    const [p50, p95, p99] = quantiles(h, [0.5, 0.95, 0.99]);
    expect(Math.abs(p50! - 500) / 500).toBeLessThanOrEqual(0.01);
    expect(Math.abs(p95! - 950) / 950).toBeLessThanOrEqual(0.01);
    expect(Math.abs(p99! - 990) / 990).toBeLessThanOrEqual(0.01);
    expect(quantiles([], [0.5])).toEqual([null]);
    expect(parseHistogram(serializeHistogram(h))).toEqual(h);
  });
});
