import type { EmbeddingConfig } from '../config/embedding.config.js';
import type { EmbeddingProvider } from './embedding-provider.js';
import { HashEmbeddingProvider } from './hash.provider.js';
import { OpenAiEmbeddingProvider } from './openai.provider.js';
import { SemanticEmbeddingProvider } from './semantic.provider.js';

/** The provider `EMBEDDING_PROVIDER` names. Nothing is loaded until the first `embed`. */
export function createEmbeddingProvider(config: EmbeddingConfig): EmbeddingProvider {
  switch (config.provider) {
    case 'hash':
      return new HashEmbeddingProvider();
    case 'semantic':
      return new SemanticEmbeddingProvider();
    case 'openai':
      return new OpenAiEmbeddingProvider({
        apiUrl: config.apiUrl ?? '',
        apiKey: config.apiKey,
        model: config.model,
        batchSize: config.batchSize,
        timeoutMs: config.timeoutMs,
      });
  }
}

/** Whether a provider's work is CPU-bound and belongs on the embedding thread rather than the event loop. */
export function runsOnThread(config: EmbeddingConfig): boolean {
  return config.provider === 'semantic';
}
