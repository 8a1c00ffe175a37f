import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { searchConfig, type SearchConfig } from '../config/search.config.js';
import { DocumentsModule } from '../documents.module.js';
import { SEARCH_CONFIG } from '../tokens.js';
import { SearchService } from './search.service.js';
import { VectorIndexService } from './vector-index.service.js';

/** Search and the vector index it keeps in step with the database: the API's, never the worker's. */
@Module({
  imports: [DocumentsModule, ConfigModule.forFeature(searchConfig)],
  providers: [
    {
      provide: SEARCH_CONFIG,
      inject: [ConfigService],
      useFactory: (config: ConfigService): SearchConfig => config.getOrThrow<SearchConfig>('search'),
    },
    VectorIndexService,
    SearchService,
  ],
  exports: [SearchService, VectorIndexService],
})
export class SearchModule {}
