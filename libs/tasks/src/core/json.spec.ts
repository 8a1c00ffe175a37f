import { describe, expect, it } from '@jest/globals';
import { assertJsonSafe, canonicalJson, MAX_JSON_DEPTH } from './json.js';

/** `depth` arrays, one inside the other. */
const nested = (depth: number): unknown => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`);

describe('assertJsonSafe', () => {
  it('accepts nesting up to MAX_JSON_DEPTH, refuses one level more by path, and never overflows', () => {
    expect(() => assertJsonSafe(nested(MAX_JSON_DEPTH), 'v')).not.toThrow();
    expect(() => assertJsonSafe(nested(MAX_JSON_DEPTH + 1), 'v')).toThrow(
      /^v(\[0\]){100}: .*deeper than 100/,
    );
    expect(() => assertJsonSafe({ a: nested(1_000_000) }, 'v')).toThrow(/^v\.a\[0\].*deeper than 100/);
  });

  it('refuses a lone surrogate in a string or a key, not a surrogate pair', () => {
    expect(() => assertJsonSafe({ to: ['x', 'a\ud800'] }, 'kwargs')).toThrow(
      /kwargs\.to\[1\] .*lone surrogate/,
    );
    expect(() => assertJsonSafe({ '\udfff': 1 }, 'kwargs')).toThrow(/key with a lone surrogate/);
    expect(() => assertJsonSafe({ text: '😀 \ud83d\ude00' })).not.toThrow();
  });

  it('still refuses a cycle, and accepts the same object twice side by side', () => {
    const shared = { a: 1 };
    expect(() => assertJsonSafe([shared, shared])).not.toThrow();
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => assertJsonSafe(cycle, 'v')).toThrow(/v\.self is a circular reference/);
  });
});

describe('canonicalJson', () => {
  it('ignores key order at every level', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ y: 1, x: 2 }], c: null } })).toBe(
      canonicalJson({ a: { c: null, d: [{ x: 2, y: 1 }] }, b: 1 }),
    );
  });

  it('keeps array order and values apart', () => {
    expect(canonicalJson([1, 2])).not.toBe(canonicalJson([2, 1]));
    expect(canonicalJson({ a: 1 })).not.toBe(canonicalJson({ a: '1' }));
  });
});
