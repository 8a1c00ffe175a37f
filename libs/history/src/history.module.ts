import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import { DatabaseModule } from '@app/database';
import { EventRecorder, TASKS_CONFIG, type TasksConfig } from '@app/tasks';
import {
  TaskHistoryCursorEntity,
  TaskHistoryEntity,
  TaskStatsEntity,
} from './entities/task-history.entity.js';
import { historyConfig, type HistoryConfig } from './history.config.js';
import { HistoryMaintenance } from './history-maintenance.js';
import { HistoryReconciler } from './history-reconciler.js';
import { HistoryService } from './history.service.js';
import { HistorySink } from './history.sink.js';
import { createHistoryStore } from './store/create-history-store.js';
import { HISTORY_CONFIG, HISTORY_STORE } from './tokens.js';

/**
 * Task history for a process that has the database (the API, a worker): the `history` sink registered with
 * the recorder (when HISTORY_ENABLED), its housekeeping, and the reads the API answers from.
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
    HistorySink,
    HistoryService,
    HistoryReconciler,
    HistoryMaintenance,
  ],
  exports: [HistoryService, HISTORY_STORE, HISTORY_CONFIG],
})
export class HistoryModule implements OnModuleInit {
  constructor(
    private readonly recorder: EventRecorder,
    private readonly sink: HistorySink,
    @Inject(TASKS_CONFIG) private readonly config: TasksConfig,
  ) {}

  onModuleInit(): void {
    if (this.config.events.history) this.recorder.register(this.sink);
  }
}
