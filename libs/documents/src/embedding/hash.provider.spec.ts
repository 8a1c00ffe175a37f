import { describe, expect, it } from '@jest/globals';
import { HashEmbeddingProvider } from './hash.provider.js';
import { features, stem } from './text-features.js';
import { blend, cosine, norm, packVector, unpackVector } from './vector.js';

describe(HashEmbeddingProvider.name, () => {
  const sut = new HashEmbeddingProvider();

  it('gives unit vectors with an id naming the provider and its size', async () => {
    const [v] = await sut.embed(['电阻越大，电流越小'], 'document');
    expect(sut.id).toBe('hash-v1-1024');
    expect(v).toHaveLength(1024);
    expect(norm(v)).toBeCloseTo(1, 5);
  });

  it('matches shared Chinese terms through character bigrams, and English through stems', async () => {
    const [doc, near, far] = await sut.embed(
      ['欧姆定律描述电压和电阻', '电阻是什么', '光合作用'],
      'document',
    );
    expect(cosine(doc, near)).toBeGreaterThan(cosine(doc, far));
    const [a, b, c] = await sut.embed(['Forming clouds', 'the cloud forms', 'binary search'], 'query');
    expect(cosine(a, b)).toBeGreaterThan(0.8);
    expect(cosine(a, c)).toBeLessThan(0.2);
  });

  it('extracts words, word bigrams, CJK characters and bigrams', () => {
    expect([...features('Ohm 定律').keys()].sort()).toEqual(['c:定', 'c:律', 'd:定律', 'w:ohm']);
    expect(stem('studies')).toBe('study');
    expect(stem('class')).toBe('class');
  });
});

describe('vectors', () => {
  it('pack to little-endian float32 bytes and back', () => {
    const v = Float32Array.from([0.5, -1.25, 3e-8]);
    const bytes = packVector(v);
    expect(bytes).toHaveLength(12);
    expect(bytes.readFloatLE(4)).toBe(-1.25);
    expect(unpackVector(bytes)).toEqual(v);
    expect(() => unpackVector(Buffer.alloc(5))).toThrow(/not float32/);
  });

  it('blend so that the cosine is the weighted mean of the parts', () => {
    const a1 = Float32Array.from([1, 0]);
    const a2 = Float32Array.from([0, 1]);
    const b1 = Float32Array.from([1, 0]);
    const b2 = Float32Array.from([1, 0]);
    const a = blend([
      { vector: a1, weight: 0.75 },
      { vector: a2, weight: 0.25 },
    ]);
    const b = blend([
      { vector: b1, weight: 0.75 },
      { vector: b2, weight: 0.25 },
    ]);
    expect(cosine(a, b)).toBeCloseTo(0.75 * 1 + 0.25 * 0, 6);
  });
});
