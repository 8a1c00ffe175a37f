import { Injectable } from '@nestjs/common';
import {
  chord,
  DownloadDocument,
  ExtractDocument,
  HandlesTask,
  s,
  SaveChunks,
  si,
  SyncData,
  type SyncDataResult,
  VectorizeBatch,
  VectorizeDocument,
  type DownloadDocumentPayload,
  type DownloadDocumentResult,
  type ExtractDocumentPayload,
  type ExtractDocumentResult,
  type SaveChunksPayload,
  type TaskContext,
  type VectorizeBatchPayload,
  type VectorizeBatchResult,
  type VectorizeDocumentPayload,
  type VectorizeDocumentResult,
} from '@app/tasks';
import { DocumentPipelineService } from '../services/document-pipeline.service.js';
import { DocumentSyncService } from '../services/document-sync.service.js';
import { VectorizerService } from '../services/vectorizer.service.js';

/**
 * The document pipeline: download → extract → vectorize → save (queued as one chain by the API); a large
 * document's vectorization replaces itself with a chord of batches and the save. The work lives in the services.
 */
@Injectable()
export class DocumentHandlers {
  constructor(
    private readonly vectorizer: VectorizerService,
    private readonly pipeline: DocumentPipelineService,
    private readonly sync: DocumentSyncService,
  ) {}

  @HandlesTask(SyncData)
  syncData(): Promise<SyncDataResult> {
    return this.sync.run();
  }

  @HandlesTask(VectorizeDocument)
  async vectorize(
    { document_id }: VectorizeDocumentPayload,
    ctx: TaskContext,
  ): Promise<VectorizeDocumentResult> {
    const outcome = await this.vectorizer.run(document_id, {
      signal: ctx.signal,
      onProgress: (done, total) => ctx.progress(done, total),
      generation: ctx.id,
    });
    if ('result' in outcome) return outcome.result;
    const { generation, chunks, batches } = outcome.plan;
    // the batches run in parallel on any worker; the save sees all their results, and its result is ours.
    // From here this task reads PROGRESS as the chord's members done / total
    return ctx.replace(
      chord(
        batches.map(([start, end]) => si(VectorizeBatch, { document_id, generation, start, end })),
        s(SaveChunks, { document_id, generation, chunks }),
      ),
    );
  }

  @HandlesTask(VectorizeBatch)
  vectorizeBatch(
    { document_id, generation, start, end }: VectorizeBatchPayload,
    ctx: TaskContext,
  ): Promise<VectorizeBatchResult> {
    return this.vectorizer.embedBatch(document_id, generation, start, end, {
      signal: ctx.signal,
      onProgress: (done, total) => ctx.progress(done, total),
      retried: ctx.retries > 0,
    });
  }

  @HandlesTask(SaveChunks)
  save({ batches, document_id, generation, chunks }: SaveChunksPayload): Promise<VectorizeDocumentResult> {
    return this.vectorizer.save(document_id, generation, chunks, batches);
  }

  @HandlesTask(DownloadDocument)
  download({ document_id, url }: DownloadDocumentPayload, ctx: TaskContext): Promise<DownloadDocumentResult> {
    return this.pipeline.download(document_id, url, ctx.signal);
  }

  @HandlesTask(ExtractDocument)
  extract({ document_id }: ExtractDocumentPayload, ctx: TaskContext): Promise<ExtractDocumentResult> {
    return this.pipeline.extract(document_id, ctx.signal);
  }
}
