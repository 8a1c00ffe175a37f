import { Injectable } from '@nestjs/common';
import {
  DownloadDocument,
  ExtractDocument,
  HandlesTask,
  VectorizeDocument,
  type DownloadDocumentPayload,
  type DownloadDocumentResult,
  type ExtractDocumentPayload,
  type ExtractDocumentResult,
  type TaskContext,
  type VectorizeDocumentPayload,
  type VectorizeDocumentResult,
} from '@app/tasks';
import { DocumentPipelineService } from '../services/document-pipeline.service.js';
import { VectorizerService } from '../services/vectorizer.service.js';

/** The document pipeline: download → extract → vectorize; the heavy work lives in the services. */
@Injectable()
export class DocumentHandlers {
  constructor(
    private readonly vectorizer: VectorizerService,
    private readonly pipeline: DocumentPipelineService,
  ) {}

  @HandlesTask(VectorizeDocument)
  vectorize({ document_id }: VectorizeDocumentPayload, ctx: TaskContext): Promise<VectorizeDocumentResult> {
    return this.vectorizer.run(document_id, {
      signal: ctx.signal,
      onProgress: (done, total) => ctx.progress(done, total),
    });
  }

  @HandlesTask(DownloadDocument)
  download({ document_id, url }: DownloadDocumentPayload, ctx: TaskContext): Promise<DownloadDocumentResult> {
    return this.pipeline.download(document_id, url, ctx.id, ctx.signal);
  }

  @HandlesTask(ExtractDocument)
  extract({ document_id }: ExtractDocumentPayload, ctx: TaskContext): Promise<ExtractDocumentResult> {
    return this.pipeline.extract(document_id, ctx.id, ctx.signal);
  }
}
