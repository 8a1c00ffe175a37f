import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TasksModule, type WorkerRuntimeOptions } from '@app/tasks';
import { HandlersModule } from './handlers.module.js';

/**
 * The consumer process: BullMQ workers, limits, revokes, heartbeat. Task code runs in executor threads
 * (`executor.main.ts`), or here with `--pool inline`.
 */
@Module({})
export class WorkerModule {
  static forRoot(options: WorkerRuntimeOptions): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true }),
        TasksModule.forWorker(options),
        ...(options.pool.kind === 'inline' ? [HandlersModule] : []),
      ],
    };
  }
}
