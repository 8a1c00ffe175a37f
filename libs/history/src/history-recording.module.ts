import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { EventRecorder, TASKS_CONFIG, type TasksConfig } from '@app/tasks';
import { HistoryMaintenance } from './history-maintenance.js';
import { HistoryModule } from './history.module.js';
import { HistoryReconciler } from './history-reconciler.js';
import { HistorySink } from './history.sink.js';

/**
 * What writes the task history, imported where the events recorder runs (an API's recorder thread, a worker
 * standing in for it): the `history` sink, registered with the recorder when HISTORY_ENABLED, and its
 * housekeeping (the reconciler and retention, under their own lease).
 */
@Module({
  imports: [HistoryModule],
  providers: [HistorySink, HistoryReconciler, HistoryMaintenance],
})
export class HistoryRecordingModule implements OnModuleInit {
  constructor(
    private readonly recorder: EventRecorder,
    private readonly sink: HistorySink,
    @Inject(TASKS_CONFIG) private readonly config: TasksConfig,
  ) {}

  onModuleInit(): void {
    if (this.config.events.history) this.recorder.register(this.sink);
  }
}
