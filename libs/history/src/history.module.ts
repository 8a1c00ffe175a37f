import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import { DatabaseModule } from '@app/database';
import {
  TaskHistoryCursorEntity,
  TaskHistoryEntity,
  TaskStatsEntity,
} from './entities/task-history.entity.js';
import { historyConfig, type HistoryConfig } from './history.config.js';
import { HistoryService } from './history.service.js';
import { createHistoryStore } from './store/create-history-store.js';
import { HISTORY_CONFIG, HISTORY_STORE } from './tokens.js';

/**
 * The task history's tables and the reads the API answers from. What writes them (the recorder's sink and
 * the housekeeping) is `HistoryRecordingModule`, wherever the events recorder runs.
 */
@Module({
  imports: [
    DatabaseModule,
    TypeOrmModule.forFeature([TaskHistoryEntity, TaskStatsEntity, TaskHistoryCursorEntity]),
    ConfigModule.forFeature(historyConfig),
  ],
  providers: [
    {
      provide: HISTORY_CONFIG,
      inject: [ConfigService],
      useFactory: (config: ConfigService): HistoryConfig => config.getOrThrow<HistoryConfig>('history'),
    },
    { provide: HISTORY_STORE, inject: [getDataSourceToken()], useFactory: createHistoryStore },
    HistoryService,
  ],
  exports: [HistoryService, HISTORY_STORE, HISTORY_CONFIG],
})
export class HistoryModule {}
