import { Module } from '@nestjs/common';
import { DocumentsModule, SearchModule } from '@app/documents';
import { DocumentIntakeService } from './document-intake.service.js';
import { DocumentsController } from './documents.controller.js';

/** The API's side of documents: upload, list, read, delete, re-vectorize, search. */
@Module({
  imports: [DocumentsModule, SearchModule],
  controllers: [DocumentsController],
  providers: [DocumentIntakeService],
})
export class DocumentsApiModule {}
