import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { HistoryModule } from '@app/history';
import { SchedulesModule } from '@app/schedules';
import { MonitoringModule, TasksModule, type WorkerRuntimeOptions } from '@app/tasks';
import { HandlersModule } from './handlers.module.js';

/**
 * The consumer process: BullMQ workers, limits, revokes, heartbeat, and the handlers of the tasks that run on
 * its event loop (`isolation: 'none'`, or every task with `--pool inline`); the others run in executor threads
 * (`executor.main.ts`).
 */
@Module({})
export class WorkerModule {
  /** `beat`: this worker also queues the schedules' ticks (`codehubot worker --beat`). */
  static forRoot(options: WorkerRuntimeOptions, beat = false): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true }),
        TasksModule.forWorker(options),
        // the events recorder may run here: its metrics and alerts sinks, and the alert monitor, come along
        MonitoringModule,
        HandlersModule,
        // the recorder may run here: the history sink with it (not in executor threads, which record nothing)
        HistoryModule,
        ...(beat ? [SchedulesModule.forBeat()] : []),
      ],
    };
  }
}
