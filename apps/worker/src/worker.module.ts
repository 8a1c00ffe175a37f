import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { HistoryRecordingModule } from '@app/history';
import { SchedulesModule } from '@app/schedules';
import { MonitoringModule, MonitoringSinksModule, TasksModule, type WorkerRuntimeOptions } from '@app/tasks';
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
        MonitoringModule,
        HandlersModule,
        // the events recorder stands in here, on the worker's loop, while no API process is up (its sinks come
        // along; executor threads record nothing)
        MonitoringSinksModule,
        HistoryRecordingModule,
        ...(beat ? [SchedulesModule.forBeat()] : []),
      ],
    };
  }
}
