import { describe, expect, it } from '@jest/globals';
import { widened } from './search.service.js';

describe(widened.name, () => {
  it('rescores the kept candidates alone up to 125,000 chunks, then one more set per 125,000', () => {
    expect(widened(40, 0)).toBe(40);
    expect(widened(40, 100_000)).toBe(40);
    expect(widened(40, 125_001)).toBe(80);
    expect(widened(40, 1_000_000)).toBe(320);
  });
});
