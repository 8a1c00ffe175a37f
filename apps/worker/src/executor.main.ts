import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TasksModule, runExecutorThread } from '@app/tasks';
import { HandlersModule } from './handlers.module.js';

/** The body of each executor thread of `--pool threads`: the handlers, nothing that consumes a queue. */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true }),
    TasksModule.forExecutor(),
    HandlersModule,
  ],
})
class ExecutorModule {}

void runExecutorThread(ExecutorModule);
