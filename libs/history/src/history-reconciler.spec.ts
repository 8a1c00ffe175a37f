import { describe, expect, it } from '@jest/globals';
import { quietUpTo } from './history-reconciler.js';

describe('quietUpTo (when rows count as quiet)', () => {
  const now = 1_000_000;

  it('is now while the history has recorded the stream to its end, or the stream is empty', () => {
    expect(quietUpTo(now, '990000-3', '990000-3')).toBe(now);
    expect(quietUpTo(now, '0-0', undefined)).toBe(now);
  });

  it('is the time of the last recorded entry while later entries wait (a burst being recorded)', () => {
    expect(quietUpTo(now, '940000-7', '999000-0')).toBe(940_000);
    // nothing recorded yet: no row is quiet
    expect(quietUpTo(now, '0-0', '999000-0')).toBe(0);
  });

  it('is never later than now (a writer clock ahead of this one)', () => {
    expect(quietUpTo(now, '1005000-0', '1006000-0')).toBe(now);
  });
});
