import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { EmbeddingConfig } from '../config/embedding.config.js';
import { EMBEDDING_CONFIG } from '../tokens.js';
import type { EmbedKind, EmbeddingProvider } from './embedding-provider.js';
import type { EmbedRequest } from './embedding.thread.js';
import { createEmbeddingProvider, runsOnThread } from './provider-factory.js';

/** Compiled thread entry; absent when running from TypeScript sources (unit tests), then work runs inline. */
const THREAD_FILE = new URL('./embedding.thread.js', import.meta.url);

/**
 * The configured embedding provider for this process. A CPU-bound provider (the semantic one) runs on one
 * long-lived worker thread that loads the model once, lazily, so that the event loop (HTTP, BullMQ lock
 * renewals) never waits on it; an HTTP provider and the hashing one run inline.
 */
@Injectable()
export class EmbeddingService implements OnModuleDestroy {
  private readonly logger = new Logger(EmbeddingService.name);
  private readonly provider: EmbeddingProvider;
  private pool: Piscina | undefined;

  constructor(@Inject(EMBEDDING_CONFIG) private readonly config: EmbeddingConfig) {
    this.provider = createEmbeddingProvider(config);
  }

  /** The provider and model id stored with each chunk; search compares only vectors with the same id. */
  get providerId(): string {
    return this.provider.id;
  }

  /**
   * Texts per `embed` call that the pipeline should send: one for the semantic model (a chunk takes ~0.1 s, so
   * progress can be reported per chunk at no cost), a request's worth for an HTTP server, many for hashing.
   */
  get batchSize(): number {
    if (this.config.provider === 'openai') return this.config.batchSize;
    return this.config.provider === 'semantic' ? 1 : 256;
  }

  get threaded(): boolean {
    return runsOnThread(this.config) && existsSync(fileURLToPath(THREAD_FILE));
  }

  /** One unit vector per text. */
  async embed(texts: readonly string[], kind: EmbedKind, signal?: AbortSignal): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    if (!this.threaded) return this.provider.embed(texts, kind, signal);
    this.pool ??= this.startPool();
    const request: EmbedRequest = { texts: [...texts], kind };
    return (await this.pool.run(request, { signal })) as Float32Array[];
  }

  /** Whether the provider gives terms for reranking (`terms`). */
  get reranks(): boolean {
    return this.provider.terms !== undefined;
  }

  /** Each text's terms in the provider's cross-language vocabulary; [] per text when it has none. */
  async terms(texts: readonly string[]): Promise<string[][]> {
    if (texts.length === 0 || !this.provider.terms) return texts.map(() => []);
    if (!this.threaded) return this.provider.terms(texts);
    this.pool ??= this.startPool();
    const request: EmbedRequest = { texts: [...texts], kind: 'terms' };
    return (await this.pool.run(request)) as string[][];
  }

  private startPool(): Piscina {
    this.logger.log(`embedding thread for ${this.provider.id}: the model loads on first use`);
    return new Piscina({
      filename: THREAD_FILE.href,
      minThreads: 1,
      maxThreads: 1,
      idleTimeout: Infinity,
      workerData: this.config,
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool?.destroy();
    await this.provider.close?.();
  }
}
