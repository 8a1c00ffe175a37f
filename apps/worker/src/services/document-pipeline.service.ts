import { Injectable, Logger } from '@nestjs/common';
import {
  detectType,
  DocumentsRepository,
  ExtractionService,
  FileStore,
  UnsupportedDocumentError,
} from '@app/documents';
import { PermanentTaskError, type DownloadDocumentResult, type ExtractDocumentResult } from '@app/tasks';
import { createHash } from 'node:crypto';
import { documentFailure } from './document-failure.js';
import { DownloaderService } from './downloader.service.js';

/**
 * The steps before vectorization: download (URL documents) and extract. The API queues them as members of one
 * chain (download → extract → vectorize → save); each step only does its own work and reads its input from
 * the database, so a retried or recovered step queues nothing and the chain goes on only once it has
 * succeeded. A failed step marks the document failed; the chain's later steps then never run.
 */
@Injectable()
export class DocumentPipelineService {
  private readonly logger = new Logger(DocumentPipelineService.name);

  constructor(
    private readonly repository: DocumentsRepository,
    private readonly files: FileStore,
    private readonly extraction: ExtractionService,
    private readonly downloader: DownloaderService,
  ) {}

  /** `tasks.documents.download`: fetch, check the type by content, store. */
  async download(documentId: string, url: string, signal?: AbortSignal): Promise<DownloadDocumentResult> {
    await this.existing(documentId);
    return this.failing(documentId, signal, async () => {
      const { bytes, filename } = await this.downloader.download(url, signal);
      let detected;
      try {
        detected = detectType(bytes, filename);
      } catch (error) {
        if (error instanceof UnsupportedDocumentError) throw new PermanentTaskError(error.message);
        throw error;
      }
      const storedName = FileStore.storedName(documentId, detected.extension);
      await this.files.write(storedName, bytes);
      await this.repository.setFile(documentId, {
        storedName,
        contentHash: createHash('sha256').update(bytes).digest('hex'),
        mimeType: detected.mime,
        docType: detected.type,
        size: bytes.length,
      });
      this.logger.log(`downloaded ${url} → ${storedName} (${bytes.length} bytes)`);
      return { document_id: documentId, size: bytes.length, doc_type: detected.type };
    });
  }

  /** `tasks.documents.extract`: the stored file's text, saved on the document. */
  async extract(documentId: string, signal?: AbortSignal): Promise<ExtractDocumentResult> {
    const document = await this.existing(documentId);
    return this.failing(documentId, signal, async () => {
      if (!document.storedName || !document.docType) {
        throw new PermanentTaskError(`Document ${documentId} has no stored file to extract`);
      }
      const bytes = await this.files.read(document.storedName);
      const text = await this.extraction.extract(bytes, document.docType, signal);
      await this.repository.setContent(documentId, text);
      return { document_id: documentId, characters: text.length };
    });
  }

  private async existing(documentId: string) {
    const document = await this.repository.findById(documentId);
    if (!document) throw new PermanentTaskError(`Document ${documentId} not found`);
    return document;
  }

  /** Runs a step; on failure the document reads `failed` with the reason, and the error goes on to the retry policy. */
  private async failing<T>(
    documentId: string,
    signal: AbortSignal | undefined,
    step: () => Promise<T>,
  ): Promise<T> {
    try {
      return await step();
    } catch (error) {
      const failure = documentFailure(error, signal);
      await this.repository.markFailed(documentId, failure.message).catch(() => undefined);
      throw failure;
    }
  }
}
