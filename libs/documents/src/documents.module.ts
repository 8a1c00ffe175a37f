import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { documentsConfig, type DocumentsConfig } from './config/documents.config.js';
import { embeddingConfig, type EmbeddingConfig } from './config/embedding.config.js';
import { DatabaseModule } from '@app/database';
import { DocumentsRepository } from './documents.repository.js';
import { EmbeddingService } from './embedding/embedding.service.js';
import { DocumentChunk } from './entities/document-chunk.entity.js';
import { DocumentIndexChange } from './entities/document-index-change.entity.js';
import { Document } from './entities/document.entity.js';
import { StagedChunk } from './entities/staged-chunk.entity.js';
import { ExtractionService } from './extraction/extraction.service.js';
import { FileStore } from './storage/file-store.js';
import { DOCUMENTS_CONFIG, EMBEDDING_CONFIG } from './tokens.js';

/** Documents, chunks, files, extraction and embedding, for both apps (search: `SearchModule`). */
@Module({
  imports: [
    DatabaseModule,
    TypeOrmModule.forFeature([Document, DocumentChunk, DocumentIndexChange, StagedChunk]),
    ConfigModule.forFeature(documentsConfig),
    ConfigModule.forFeature(embeddingConfig),
  ],
  providers: [
    {
      provide: DOCUMENTS_CONFIG,
      inject: [ConfigService],
      useFactory: (config: ConfigService): DocumentsConfig => config.getOrThrow<DocumentsConfig>('documents'),
    },
    {
      provide: EMBEDDING_CONFIG,
      inject: [ConfigService],
      useFactory: (config: ConfigService): EmbeddingConfig => config.getOrThrow<EmbeddingConfig>('embedding'),
    },
    DocumentsRepository,
    FileStore,
    ExtractionService,
    EmbeddingService,
  ],
  exports: [
    DOCUMENTS_CONFIG,
    EMBEDDING_CONFIG,
    DocumentsRepository,
    FileStore,
    ExtractionService,
    EmbeddingService,
  ],
})
export class DocumentsModule {}
