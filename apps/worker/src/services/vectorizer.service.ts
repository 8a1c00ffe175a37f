import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  chunkText,
  DOCUMENTS_CONFIG,
  DocumentsRepository,
  EmbeddingService,
  ExtractionService,
  FileStore,
  packVector,
  type Document,
  type DocumentsConfig,
} from '@app/documents';
import { PermanentTaskError, type VectorizeBatchResult, type VectorizeDocumentResult } from '@app/tasks';
import { documentFailure } from './document-failure.js';

/**
 * A batch or the save found its run's staged rows gone: the document was deleted, or a newer vectorization of
 * it has superseded this one. Not the document's failure: the document's status belongs to the newer run.
 */
class GenerationGoneError extends PermanentTaskError {}

export interface VectorizeOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => Promise<void>;
  /**
   * Names the run's staged chunks when the document is large enough to be batched (the task's id, so that a
   * retried or recovered run stages the same generation again). Without it the document is always one run.
   */
  generation?: string;
}

/** A large document's vectorization, planned and staged: the batches to run, then the save. */
export interface BatchPlan {
  documentId: string;
  generation: string;
  chunks: number;
  /** `[start, end)` chunk ranges, in order. */
  batches: [number, number][];
}

/** What `run` did: vectorized the document whole, or staged it for batches. */
export type VectorizeOutcome = { result: VectorizeDocumentResult } | { plan: BatchPlan };

/**
 * The seed's vectorization pipeline for one document: processing → (extract if need be) → chunk. Up to
 * `VECTORIZE_BATCH_CHUNKS` chunks: embed (on the embedding thread for the semantic model), reporting PROGRESS
 * after each chunk or request batch → replace the chunks in one transaction → completed. More: the chunks'
 * texts are staged under a generation and a plan of batches is returned; each batch (`embedBatch`) writes its
 * vectors into the staged rows, and `save` swaps the whole generation in at once.
 * Any failure marks the document failed (with the error) and is rethrown for the task's retry policy.
 */
@Injectable()
export class VectorizerService {
  private readonly logger = new Logger(VectorizerService.name);

  constructor(
    private readonly repository: DocumentsRepository,
    private readonly embeddings: EmbeddingService,
    private readonly extraction: ExtractionService,
    private readonly files: FileStore,
    @Inject(DOCUMENTS_CONFIG) private readonly config: DocumentsConfig,
  ) {}

  async run(documentId: string, options: VectorizeOptions = {}): Promise<VectorizeOutcome> {
    const document = await this.repository.findWithContent(documentId);
    if (!document) throw new PermanentTaskError(`Document ${documentId} not found`);
    const started = performance.now();
    this.logger.log(`vectorizing ${documentId} (${document.filename}) with ${this.embeddings.providerId}`);
    await this.repository.markProcessing(documentId);
    try {
      const text = await this.textOf(document, options.signal);
      const chunks = chunkText(text, { size: this.config.chunkSize, overlap: this.config.chunkOverlap });
      const perBatch = this.config.vectorizeBatchChunks;
      if (options.generation !== undefined && chunks.length > perBatch) {
        return {
          plan: await this.stage(
            documentId,
            options.generation,
            chunks.map((c) => c.text),
          ),
        };
      }
      const stored: { text: string; embedding: Buffer; dimensions: number }[] = [];
      await options.onProgress?.(0, chunks.length);
      // per chunk with the semantic model, per request batch with an HTTP provider
      const step = this.embeddings.batchSize;
      for (let i = 0; i < chunks.length; i += step) {
        options.signal?.throwIfAborted();
        const batch = chunks.slice(i, i + step);
        const vectors = await this.embeddings.embed(
          batch.map((c) => c.text),
          'document',
          options.signal,
        );
        vectors.forEach((vector, j) =>
          stored.push({ text: batch[j].text, embedding: packVector(vector), dimensions: vector.length }),
        );
        await options.onProgress?.(stored.length, chunks.length);
      }
      const saved = await this.repository.replaceChunks(documentId, stored, this.embeddings.providerId);
      if (!saved) throw new PermanentTaskError(`Document ${documentId} was deleted while it was vectorized`);
      const seconds = (performance.now() - started) / 1000;
      this.logger.log(`vectorized ${documentId}: ${stored.length} chunks in ${seconds.toFixed(1)} s`);
      return { result: { success: true, document_id: documentId, embeddings_count: stored.length } };
    } catch (error) {
      throw await this.failed(documentId, error, options.signal);
    }
  }

  /**
   * `tasks.embedding.vectorize_batch`: embeds staged chunks `start`..`end - 1` of a generation and writes their
   * vectors into the staged rows (never into the searchable chunks). Running it again writes the same rows.
   */
  async embedBatch(
    documentId: string,
    generation: string,
    start: number,
    end: number,
    options: Omit<VectorizeOptions, 'generation'> & { retried?: boolean } = {},
  ): Promise<VectorizeBatchResult> {
    try {
      if (end <= start) throw new PermanentTaskError(`end (${end}) must be greater than start (${start})`);
      // a retried batch: the failed attempt marked the document failed, it is being worked on again
      if (options.retried) await this.repository.markProcessing(documentId);
      const staged = await this.repository.stagedTexts(generation, start, end);
      if (staged.length !== end - start) {
        throw new GenerationGoneError(
          `Document ${documentId}: chunks ${start}–${end - 1} of vectorization ${generation} are not staged ` +
            `(${staged.length} of ${end - start} found: the document was deleted or vectorized anew)`,
        );
      }
      const model = this.embeddings.providerId;
      const step = this.embeddings.batchSize;
      const vectors: { chunkIndex: number; embedding: Buffer; dimensions: number }[] = [];
      await options.onProgress?.(0, staged.length);
      for (let i = 0; i < staged.length; i += step) {
        options.signal?.throwIfAborted();
        const part = staged.slice(i, i + step);
        const embedded = await this.embeddings.embed(
          part.map((c) => c.text),
          'document',
          options.signal,
        );
        embedded.forEach((vector, j) =>
          vectors.push({
            chunkIndex: part[j].chunkIndex,
            embedding: packVector(vector),
            dimensions: vector.length,
          }),
        );
        await options.onProgress?.(vectors.length, staged.length);
      }
      options.signal?.throwIfAborted();
      const written = await this.repository.storeStagedEmbeddings(generation, vectors, model);
      if (written !== vectors.length) {
        throw new GenerationGoneError(
          `Document ${documentId}: vectorization ${generation} was removed while chunks ${start}–${end - 1} were embedded`,
        );
      }
      return {
        document_id: documentId,
        generation,
        start,
        end,
        embedded: vectors.length,
        embedding_model: model,
      };
    } catch (error) {
      if (error instanceof GenerationGoneError) throw error;
      // the run's staged rows stay: a retry goes on with them; a run that failed for good leaves them until
      // the document's next vectorization (which supersedes them) or its deletion
      throw await this.failed(documentId, error, options.signal);
    }
  }

  /**
   * `tasks.embedding.save`, the chord body: checks that the batches cover every chunk once, then swaps the
   * generation in (all or nothing) and marks the document completed. A run that cannot be saved changes none of
   * the document's committed chunks (an incomplete one's staged rows are removed).
   */
  async save(
    documentId: string,
    generation: string,
    chunks: number,
    batches: readonly VectorizeBatchResult[],
  ): Promise<VectorizeDocumentResult> {
    try {
      const covered = [...batches].sort((a, b) => a.start - b.start);
      let next = 0;
      for (const batch of covered) {
        if (batch.generation !== generation || batch.document_id !== documentId || batch.start !== next) {
          throw new PermanentTaskError(
            `Document ${documentId}: the batches of vectorization ${generation} do not cover its ${chunks} chunks once`,
          );
        }
        next = batch.end;
      }
      if (next !== chunks) {
        throw new PermanentTaskError(
          `Document ${documentId}: the batches of vectorization ${generation} cover ${next} of its ${chunks} chunks`,
        );
      }
      const outcome = await this.repository.commitStaged(documentId, generation, chunks);
      if (!outcome.committed) {
        if (outcome.reason === 'document-gone') {
          throw new GenerationGoneError(`Document ${documentId} was deleted while it was vectorized`);
        }
        if (outcome.staged === 0) {
          throw new GenerationGoneError(
            `Document ${documentId}: vectorization ${generation} was superseded by a newer one`,
          );
        }
        await this.repository.discardStaged(generation).catch(() => undefined);
        throw new PermanentTaskError(
          `Document ${documentId}: vectorization ${generation} is incomplete (${outcome.embedded} of ` +
            `${chunks} chunks embedded, ${outcome.staged} staged, ${outcome.models} model(s))`,
        );
      }
      this.logger.log(`vectorized ${documentId}: ${chunks} chunks in ${batches.length} batches, saved`);
      return { success: true, document_id: documentId, embeddings_count: chunks };
    } catch (error) {
      if (error instanceof GenerationGoneError) throw error;
      throw await this.failed(documentId, error);
    }
  }

  /** Stages the chunks' texts under `generation` and cuts them into batches. */
  private async stage(documentId: string, generation: string, texts: string[]): Promise<BatchPlan> {
    if (!(await this.repository.stageChunks(documentId, generation, texts))) {
      throw new PermanentTaskError(`Document ${documentId} was deleted while it was vectorized`);
    }
    const perBatch = this.config.vectorizeBatchChunks;
    const batches: [number, number][] = [];
    for (let start = 0; start < texts.length; start += perBatch) {
      batches.push([start, Math.min(start + perBatch, texts.length)]);
    }
    this.logger.log(`vectorizing ${documentId}: ${texts.length} chunks staged as ${batches.length} batches`);
    return { documentId, generation, chunks: texts.length, batches };
  }

  /** Marks the document failed with the reason, and gives back the error for the retry policy. */
  private async failed(documentId: string, error: unknown, signal?: AbortSignal): Promise<Error> {
    const failure = documentFailure(error, signal);
    await this.repository.markFailed(documentId, failure.message).catch(() => undefined);
    return failure;
  }

  /** The stored text, or the stored file's text extracted now (and kept for next time). */
  private async textOf(document: Document, signal?: AbortSignal): Promise<string> {
    if (document.content) return document.content;
    if (!document.storedName || !document.docType) {
      throw new PermanentTaskError(`Document ${document.id} has no file and no text yet`);
    }
    const bytes = await this.files.read(document.storedName).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT')
        throw new PermanentTaskError(`The file of document ${document.id} is gone`);
      throw error;
    });
    const text = await this.extraction.extract(bytes, document.docType, signal);
    await this.repository.setContent(document.id, text);
    return text;
  }
}
