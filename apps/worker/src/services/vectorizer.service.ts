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
import { PermanentTaskError, type VectorizeDocumentResult } from '@app/tasks';
import { documentFailure } from './document-failure.js';

export interface VectorizeOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => Promise<void>;
}

/**
 * The seed's vectorization pipeline for one document: processing → (extract if need be) → chunk → embed (on
 * the embedding thread for the semantic model), reporting PROGRESS after each chunk or request batch → replace
 * the chunks in one transaction → completed.
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

  async run(documentId: string, options: VectorizeOptions = {}): Promise<VectorizeDocumentResult> {
    const document = await this.repository.findWithContent(documentId);
    if (!document) throw new PermanentTaskError(`Document ${documentId} not found`);
    const started = performance.now();
    this.logger.log(`vectorizing ${documentId} (${document.filename}) with ${this.embeddings.providerId}`);
    await this.repository.markProcessing(documentId);
    try {
      const text = await this.textOf(document, options.signal);
      const chunks = chunkText(text, { size: this.config.chunkSize, overlap: this.config.chunkOverlap });
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
      return { success: true, document_id: documentId, embeddings_count: stored.length };
    } catch (error) {
      const failure = documentFailure(error, options.signal);
      await this.repository.markFailed(documentId, failure.message).catch(() => undefined);
      throw failure;
    }
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
