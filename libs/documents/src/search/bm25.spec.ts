import { describe, expect, it } from '@jest/globals';
import { Bm25Index } from './bm25.js';
import { fuse } from './fusion.js';
import { keywordTokens } from './keyword-tokens.js';

describe(Bm25Index.name, () => {
  const sut = (): Bm25Index => {
    const index = new Bm25Index();
    index.add('cells', keywordTokens('线粒体是细胞的动力工厂。Mitochondria make energy.'));
    index.add('arduino', keywordTokens('Use digitalWrite to switch a pin HIGH. 用 digitalWrite 点亮 LED。'));
    index.add('plants', keywordTokens('植物的细胞有细胞壁。Plant cells have walls.'));
    return index;
  };

  it('cuts Chinese into words with jieba and keeps code identifiers whole', () => {
    expect(keywordTokens('线粒体是细胞的动力工厂')).toEqual(
      expect.arrayContaining(['线粒体', '细胞', '动力']),
    );
    expect(keywordTokens('线粒体是细胞的')).not.toContain('的');
    expect(keywordTokens('call digitalWrite(pin, HIGH)')).toEqual(['call', 'digitalwrite', 'pin', 'high']);
  });

  it('scores only texts sharing a term, a rare term above a common one', () => {
    const scores = sut().scores(keywordTokens('线粒体'));
    expect([...scores.keys()]).toEqual(['cells']);
    const both = sut().scores(keywordTokens('细胞 线粒体'));
    expect(both.get('cells')!).toBeGreaterThan(both.get('plants')!);
    expect(sut().scores(keywordTokens('digitalWrite')).get('arduino')).toBeGreaterThan(0);
  });

  it('forgets a removed or replaced text, and can be asked within a set of keys', () => {
    const index = sut();
    index.remove('cells');
    expect(index.scores(keywordTokens('线粒体')).size).toBe(0);
    index.add('arduino', keywordTokens('线粒体'));
    expect([...index.scores(keywordTokens('线粒体')).keys()]).toEqual(['arduino']);
    expect(index.scores(keywordTokens('digitalWrite')).size).toBe(0);
    expect(index.count).toBe(2);
    expect(index.scores(keywordTokens('细胞'), new Set(['arduino'])).size).toBe(0);
  });
});

describe(fuse.name, () => {
  it('mixes in BM25 as a share of the ceiling; no shared term scales cosine alone', () => {
    const candidates = [
      { key: 'a', vector: 0.5 },
      { key: 'b', vector: 0.4 },
    ];
    const fused = fuse(candidates, new Map([['b', 3]]), 0.3, 6);
    expect(fused.get('a')).toEqual({ vector: 0.5, keyword: 0, fused: 0.35 });
    expect(fused.get('b')!.fused).toBeCloseTo(0.7 * 0.4 + 0.3 * 0.5, 10);
    expect(fuse(candidates, new Map(), 0.3, 0).get('a')!.fused).toBeCloseTo(0.35, 10);
  });

  it('puts the ceiling at a whole match: a rare term held once in a text of average length scores it', () => {
    const index = new Bm25Index();
    index.add('a', keywordTokens('mitochondria membrane'));
    index.add('b', keywordTokens('cell wall'));
    const terms = keywordTokens('mitochondria');
    const share = index.scores(terms).get('a')! / index.ceiling(terms);
    expect(share).toBeCloseTo(1, 10);
    expect(index.ceiling(keywordTokens('unknown'))).toBe(0);
  });
});
