import { describe, expect, it } from '@jest/globals';
import { keywordTokens } from './keyword-tokens.js';
import { CROSS_LINGUAL_FACTOR, hasCjk, rerank, type RerankCandidate } from './rerank.js';

describe(rerank.name, () => {
  const candidate = (key: string, vector: number, text: string): RerankCandidate => ({
    key,
    vector,
    terms: keywordTokens(text),
    cjk: hasCjk(text),
  });

  it('lifts a candidate that shares the query terms when the texts differ in language', () => {
    const query = { terms: keywordTokens('recursion base case'), cjk: true };
    const scores = rerank(
      query,
      [
        candidate('loops', 0.4, 'a loop repeats statements'),
        candidate('recursion', 0.39, 'recursion needs a base case'),
      ],
      0.05,
    );
    expect(scores.get('recursion')!.terms).toBeGreaterThan(0.9);
    expect(scores.get('loops')!.terms).toBe(0);
    expect(scores.get('recursion')!.fused).toBeGreaterThan(scores.get('loops')!.fused);
    const w = 0.05 * CROSS_LINGUAL_FACTOR;
    expect(scores.get('recursion')!.fused).toBeCloseTo(
      (1 - w) * 0.39 + w * scores.get('recursion')!.terms,
      6,
    );
  });

  it('counts shared terms at the weight itself between two Chinese texts, more across languages', () => {
    const query = { terms: keywordTokens('递归 终止 条件'), cjk: true };
    const zh = rerank(query, [candidate('zh', 0.39, '递归 需要 终止 条件')], 0.05).get('zh')!;
    expect(zh.fused).toBeCloseTo(0.95 * 0.39 + 0.05 * zh.terms, 6);
    expect(CROSS_LINGUAL_FACTOR).toBeGreaterThan(1);
  });

  it('keeps the cosine of two English texts, and reports their shared terms all the same', () => {
    const query = { terms: keywordTokens('recursion base case'), cjk: false };
    const scores = rerank(
      query,
      [candidate('a', 0.4, 'loops'), candidate('b', 0.39, 'recursion base case')],
      0.05,
    );
    expect(scores.get('b')!.fused).toBe(0.39);
    expect(scores.get('a')!.fused).toBe(0.4);
    expect(scores.get('b')!.terms).toBeGreaterThan(0);
  });

  it('changes nothing at weight 0 or without shared terms', () => {
    const query = { terms: keywordTokens('photosynthesis'), cjk: true };
    const scores = rerank(query, [candidate('a', 0.3, '光合作用'), candidate('b', 0.2, 'light')], 0);
    expect(scores.get('a')!.fused).toBe(0.3);
    const w = Math.min(1, 0.5 * CROSS_LINGUAL_FACTOR);
    expect(rerank(query, [candidate('b', 0.2, 'light')], 0.5).get('b')!.fused).toBeCloseTo((1 - w) * 0.2, 6);
  });
});
