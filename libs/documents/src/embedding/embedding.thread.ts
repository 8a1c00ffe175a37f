import { workerData } from 'piscina';
import type { EmbeddingConfig } from '../config/embedding.config.js';
import type { EmbedKind, EmbeddingProvider } from './embedding-provider.js';
import { createEmbeddingProvider } from './provider-factory.js';

/** The embedding thread: one provider (and so one loaded model) for the thread's whole life. */
const provider: EmbeddingProvider = createEmbeddingProvider(workerData as EmbeddingConfig);

/** Vectors of texts, or (`kind: 'terms'`) their terms for reranking. */
export interface EmbedRequest {
  texts: string[];
  kind: EmbedKind | 'terms';
}

export default function embed({ texts, kind }: EmbedRequest): Promise<Float32Array[] | string[][]> {
  if (kind === 'terms') return provider.terms ? provider.terms(texts) : Promise.resolve([]);
  return provider.embed(texts, kind);
}
