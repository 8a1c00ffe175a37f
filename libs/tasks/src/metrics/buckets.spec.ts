import { describe, expect, it } from '@jest/globals';
import { DURATION_BUCKETS, bucketIndex, cumulativeBuckets } from './buckets.js';
import { mergeOps, type HashOp } from './hash-ops.js';

describe('histogram buckets', () => {
  it('puts a value in the first bucket whose bound holds it; past the last, in +Inf', () => {
    expect(bucketIndex(0)).toBe(0);
    expect(bucketIndex(0.005)).toBe(0);
    expect(bucketIndex(0.0051)).toBe(1);
    expect(bucketIndex(1)).toBe(DURATION_BUCKETS.indexOf(1));
    expect(bucketIndex(600)).toBe(DURATION_BUCKETS.length - 1);
    expect(bucketIndex(601)).toBe(DURATION_BUCKETS.length);
  });

  it('turns per-bucket counts into cumulative `le` lines ending with +Inf = count', () => {
    const lines = cumulativeBuckets(
      {
        buckets: new Map([
          [0, 2],
          [2, 1],
          [DURATION_BUCKETS.length, 3],
        ]),
        sum: 1000,
        count: 6,
      },
      [0.1, 1, 10],
    );
    expect(lines).toEqual([
      { le: 0.1, count: 2 },
      { le: 1, count: 2 },
      { le: 10, count: 3 },
      { le: '+Inf', count: 6 },
    ]);
  });

  it('adds up what two workers counted into the same fields', () => {
    const worker = (runtimes: number[]): HashOp[] =>
      runtimes.flatMap((seconds) => [
        { op: 'incr' as const, field: `b${bucketIndex(seconds)}`, value: 1 },
        { op: 'float' as const, field: 's', value: seconds },
        { op: 'incr' as const, field: 'n', value: 1 },
      ]);
    const merged = mergeOps([...worker([0.004, 0.2, 3]), ...worker([0.003, 700])]);
    const field = (name: string): number => Number(merged.find((op) => op.field === name)?.value ?? 0);
    expect(field('b0')).toBe(2);
    expect(field(`b${bucketIndex(0.2)}`)).toBe(1);
    expect(field(`b${DURATION_BUCKETS.length}`)).toBe(1);
    expect(field('n')).toBe(5);
    expect(field('s')).toBeCloseTo(703.207, 6);
    const buckets = new Map(
      merged
        .filter((op) => op.field.startsWith('b'))
        .map((op) => [Number(op.field.slice(1)), Number(op.value)]),
    );
    const lines = cumulativeBuckets({ buckets, sum: field('s'), count: field('n') });
    expect(lines.at(-1)).toEqual({ le: '+Inf', count: 5 });
    expect(lines.find((line) => line.le === 600)?.count).toBe(4);
  });

  it('merges max and set ops by keeping the largest and the last', () => {
    expect(
      mergeOps([
        { op: 'max', field: 'at', value: 5 },
        { op: 'max', field: 'at', value: 9 },
        { op: 'max', field: 'at', value: 7 },
        { op: 'set', field: 'error', value: 'first' },
        { op: 'set', field: 'error', value: 'last' },
      ]),
    ).toEqual([
      { op: 'max', field: 'at', value: 9 },
      { op: 'set', field: 'error', value: 'last' },
    ]);
  });
});
