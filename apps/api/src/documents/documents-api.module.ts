import { Module } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import { DOCUMENTS_CONFIG, DocumentsModule, type DocumentsConfig } from '@app/documents';
import { DocumentIntakeService } from './document-intake.service.js';
import { DocumentsController } from './documents.controller.js';

/** The API's side of documents: upload, list, read, delete, re-vectorize, search. */
@Module({
  imports: [
    DocumentsModule,
    MulterModule.registerAsync({
      imports: [DocumentsModule],
      inject: [DOCUMENTS_CONFIG],
      // no storage given: files stay in memory (at most UPLOAD_MAX_BYTES); multer stops reading past it (→ 413)
      useFactory: (config: DocumentsConfig) => ({
        limits: { fileSize: config.uploadMaxBytes, files: 1, fields: 10, fieldSize: 64 * 1024 },
      }),
    }),
  ],
  controllers: [DocumentsController],
  providers: [DocumentIntakeService],
})
export class DocumentsApiModule {}
