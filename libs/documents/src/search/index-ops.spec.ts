import { describe, expect, it } from '@jest/globals';
import { hashVector } from '../embedding/hash.provider.js';
import { packVector } from '../embedding/vector.js';
import type { IndexHit, IndexRow } from './flat-index.js';
import { IndexOwner } from './index-ops.js';

const row = (documentId: string, chunkIndex: number, text: string, vectorText = text): IndexRow => ({
  documentId,
  chunkIndex,
  text,
  embedding: packVector(hashVector(vectorText)),
});

describe(IndexOwner.name, () => {
  const sut = (): IndexOwner => {
    const owner = new IndexOwner();
    owner.apply({
      op: 'add',
      rows: [
        // its vector says nothing about its text: only the keyword index can find it
        row('cells', 0, '线粒体是细胞的动力工厂。', 'unrelated words only'),
        row('arduino', 0, 'Use digitalWrite to switch a pin HIGH.'),
        row('plants', 0, 'Plant cells have walls.'),
      ],
    });
    return owner;
  };
  const search = (owner: IndexOwner, text: string, k = 1, documentIds?: string[]): IndexHit[] =>
    owner.apply({
      op: 'search',
      query: { vector: hashVector(text), k, keywordQuery: text, documentIds },
    }) as IndexHit[];

  it('adds the keyword index best candidates to the vector ones, each with its BM25', () => {
    const hits = search(sut(), '线粒体');
    expect(hits.find((h) => h.documentId === 'cells')).toMatchObject({ chunkIndex: 0, score: 0 });
    // the vector index's k come first; what the keyword index adds is marked as its own
    const both = search(sut(), 'digitalWrite 线粒体');
    expect(both.map((h) => [h.documentId, h.keywordOnly ?? false])).toEqual([
      ['arduino', false],
      ['cells', true],
    ]);
    expect(hits.find((h) => h.documentId === 'cells')!.keyword).toBeGreaterThan(0);
    expect(hits.filter((h) => h.documentId !== 'cells').every((h) => h.keyword === 0)).toBe(true);
  });

  it('keeps the keyword index in step with replaced documents and filters', () => {
    const owner = sut();
    expect(owner.apply({ op: 'replace', documentId: 'cells', rows: [] })).toBe(2);
    expect(search(owner, '线粒体', 3).some((h) => h.documentId === 'cells')).toBe(false);
    expect(search(sut(), 'digitalWrite', 3, ['plants']).map((h) => [h.documentId, h.keyword])).toEqual([
      ['plants', 0],
    ]);
  });

  it('answers without keyword scores when the query asks for none', () => {
    const hits = sut().apply({
      op: 'search',
      query: { vector: hashVector('digitalWrite'), k: 1 },
    }) as IndexHit[];
    expect(hits).toEqual([expect.objectContaining({ documentId: 'arduino' })]);
    expect(hits[0].keyword).toBeUndefined();
  });
});
