import type { EmbedKind, EmbeddingProvider } from './embedding-provider.js';
import { features, hashFeatures } from './text-features.js';
import { normalize } from './vector.js';

export const HASH_DIMENSIONS = 1024;

/** The hashed bag of words and CJK character bigrams of one text, unit length. */
export function hashVector(text: string, dimensions = HASH_DIMENSIONS): Float32Array {
  return normalize(hashFeatures(features(text), dimensions));
}

/**
 * The fast fallback: a hashed bag of English words, word bigrams, Chinese characters and character bigrams.
 * No model, no download, microseconds per chunk; finds shared terms, not meaning.
 */
export class HashEmbeddingProvider implements EmbeddingProvider {
  readonly id: string;

  constructor(private readonly dimensions = HASH_DIMENSIONS) {
    this.id = `hash-v1-${dimensions}`;
  }

  embed(texts: readonly string[], _kind?: EmbedKind): Promise<Float32Array[]> {
    return Promise.resolve(texts.map((text) => hashVector(text, this.dimensions)));
  }
}
