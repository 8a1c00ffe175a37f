import { Module } from '@nestjs/common';
import { DocumentsModule } from '@app/documents';
import { DocumentHandlers } from './handlers/documents.handlers.js';
import { DocumentPipelineService } from './services/document-pipeline.service.js';
import { DocumentSyncService } from './services/document-sync.service.js';
import { DownloaderService } from './services/downloader.service.js';
import { VectorizerService } from './services/vectorizer.service.js';

/** The worker's side of the document pipeline: its handlers and the services they call. */
@Module({
  imports: [DocumentsModule],
  providers: [
    VectorizerService,
    DownloaderService,
    DocumentPipelineService,
    DocumentSyncService,
    DocumentHandlers,
  ],
})
export class DocumentsWorkerModule {}
