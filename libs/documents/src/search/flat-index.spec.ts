import { describe, expect, it } from '@jest/globals';
import { hashVector } from '../embedding/hash.provider.js';
import { dot, packVector } from '../embedding/vector.js';
import { SyntheticCorpus } from '../../../../test/utils/synthetic-corpus.js';
import { FlatIndex, quantize, type IndexRow } from './flat-index.js';

const corpus = (count: number, seed = 7): string[] => new SyntheticCorpus(seed).texts(count);

const row = (documentId: string, chunkIndex: number, text: string): IndexRow => ({
  documentId,
  chunkIndex,
  embedding: packVector(hashVector(text)),
});

describe(FlatIndex.name, () => {
  const texts = corpus(3000);
  const rows = texts.map((text, i) => row(`doc-${i % 300}`, Math.floor(i / 300), text));

  it('quantizes each vector to its own scale, keeping its direction', () => {
    const v = Float32Array.from([0.5, -1, 0.25, 0]);
    expect([...quantize(v)]).toEqual([64, -127, 32, 0]);
    expect([...quantize(new Float32Array(3))]).toEqual([0, 0, 0]);
  });

  it('finds what the exact search finds: recall@10 ≥ 0.95 over 50 queries', () => {
    const sut = new FlatIndex(1024);
    sut.add(rows);
    const vectors = texts.map((t) => hashVector(t));
    let found = 0;
    for (const query of corpus(50, 99).map((t) => hashVector(t.split(' ').slice(0, 8).join(' ')))) {
      const scores = vectors.map((v) => dot(query, v));
      const tenth = [...scores].sort((a, b) => b - a)[9];
      const hits = sut.search({ vector: query, k: 10 });
      expect(hits).toHaveLength(10);
      // ties at the tenth place make any of the tied chunks a right answer
      found += hits.filter(
        (h) => scores[h.chunkIndex * 300 + Number(h.documentId.slice(4))] >= tenth - 1e-6,
      ).length;
    }
    expect(found / 500).toBeGreaterThanOrEqual(0.95);
  });

  it('answers the same on several threads as on one, filtered or not', () => {
    const one = new FlatIndex(1024, { threads: 1 });
    const many = new FlatIndex(1024, { threads: 2, parallelFrom: 10 });
    one.add(rows);
    many.add(rows);
    for (const query of corpus(10, 5).map((t) => hashVector(t))) {
      expect(many.search({ vector: query, k: 10 })).toEqual(one.search({ vector: query, k: 10 }));
      const filter = { vector: query, k: 10, documentIds: ['doc-1', 'doc-2'] };
      expect(many.search(filter)).toEqual(one.search(filter));
    }
  });

  it('ranks a chunk first for its own text, with a score near 1', () => {
    const sut = new FlatIndex(1024);
    sut.add(rows);
    const [best] = sut.search({ vector: hashVector(texts[1234]), k: 1 });
    expect(best).toMatchObject({ documentId: 'doc-34', chunkIndex: 4 });
    expect(best.score).toBeGreaterThan(0.99);
  });

  it('applies a filter before ranking: a filter that leaves 3 chunks returns those 3, best first', () => {
    const sut = new FlatIndex(1024);
    sut.add(rows);
    sut.add([row('small', 0, 'alpha'), row('small', 1, 'gamma delta'), row('small', 2, 'alpha gamma')]);
    const hits = sut.search({ vector: hashVector('alpha'), k: 5, documentIds: ['small', 'unknown'] });
    expect(hits.map((h) => h.chunkIndex)).toEqual([0, 2, 1]);
    const several = sut.search({ vector: hashVector(texts[5]), k: 50, documentIds: ['doc-5', 'doc-6'] });
    expect(several).toHaveLength(20);
    expect(new Set(several.map((h) => h.documentId))).toEqual(new Set(['doc-5', 'doc-6']));
    expect(several[0]).toMatchObject({ documentId: 'doc-5', chunkIndex: 0 });
  });

  it('replaces and removes a document: its old chunks are never found again, the others stay', () => {
    const sut = new FlatIndex(1024);
    sut.add(rows);
    sut.replaceDocument('doc-1', [row('doc-1', 0, 'mitochondria membrane')]);
    expect(sut.stats()).toMatchObject({ chunks: 2991, documents: 300 });
    expect(sut.search({ vector: hashVector(texts[1]), k: 3 }).some((h) => h.documentId === 'doc-1')).toBe(
      false,
    );
    expect(sut.search({ vector: hashVector('mitochondria membrane'), k: 1 })[0]).toMatchObject({
      documentId: 'doc-1',
      chunkIndex: 0,
    });
    sut.removeDocument('doc-1');
    sut.removeDocument('doc-1');
    expect(sut.stats()).toMatchObject({ chunks: 2990, documents: 299 });
    expect(sut.search({ vector: hashVector('mitochondria membrane'), k: 1 })[0].documentId).not.toBe('doc-1');
    // the row moved into a removed row's place is still found for its own text
    expect(sut.search({ vector: hashVector(texts[2999]), k: 1 })[0]).toMatchObject({
      documentId: 'doc-299',
      chunkIndex: 9,
    });
    expect(sut.search({ vector: hashVector('x'), k: 5, documentIds: ['doc-1'] })).toEqual([]);
  });

  it('leaves out vectors of other dimensions and answers an empty index with nothing', () => {
    const sut = new FlatIndex(1024);
    expect(sut.search({ vector: hashVector('a'), k: 3 })).toEqual([]);
    expect(sut.add([{ documentId: 'd', chunkIndex: 0, embedding: packVector(new Float32Array(8)) }])).toBe(1);
    expect(sut.count).toBe(0);
  });
});
