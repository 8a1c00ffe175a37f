import { describe, expect, it } from '@jest/globals';
import { retryDelayMs } from './retry-delay.js';

describe(retryDelayMs.name, () => {
  it('uses the default delay when the task sets none', () => {
    expect(retryDelayMs(undefined, 1, 60)).toBe(60_000);
    expect(retryDelayMs({ maxRetries: 3 }, 3, 60)).toBe(60_000);
  });

  it('doubles from the delay for exponential backoff, capped at maxDelay', () => {
    const policy = { maxRetries: 5, delay: 2, backoff: 'exponential' as const, maxDelay: 10 };
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(policy, n, 60))).toEqual([
      2_000, 4_000, 8_000, 10_000, 10_000,
    ]);
  });

  it('draws jitter from the upper half of the delay', () => {
    const policy = { maxRetries: 1, delay: 10, jitter: true };
    expect(retryDelayMs(policy, 1, 60, () => 0)).toBe(5_000);
    expect(retryDelayMs(policy, 1, 60, () => 0.999)).toBe(9_995);
  });
});
