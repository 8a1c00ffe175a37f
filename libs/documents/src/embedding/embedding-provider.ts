/** Whether a text is stored (a chunk) or looked up (a query); some models embed the two differently. */
export type EmbedKind = 'document' | 'query';

/**
 * Turns texts into vectors. Chosen by `EMBEDDING_PROVIDER`; `id` names the provider *and* its model and
 * settings, is stored with every chunk, and search compares only vectors of the same id.
 */
export interface EmbeddingProvider {
  readonly id: string;
  /** One vector per text, in order. Vectors are unit length. */
  embed(texts: readonly string[], kind: EmbedKind, signal?: AbortSignal): Promise<Float32Array[]>;
  /**
   * The terms of each text in one vocabulary across languages (the semantic provider's English glosses), for
   * reranking the best candidates of a search by the terms they share with the query. Providers without it
   * are not reranked.
   */
  terms?(texts: readonly string[]): Promise<string[][]>;
  /** Releases what the provider holds (a model, a thread). */
  close?(): Promise<void>;
}

/** A failure that retrying later may fix: a timeout, a refused connection, a 429 or 5xx from a server. */
export class TemporaryEmbeddingError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TemporaryEmbeddingError';
  }
}

/** A failure that retrying cannot fix: a bad key, an unknown model, a malformed answer. */
export class PermanentEmbeddingError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PermanentEmbeddingError';
  }
}
