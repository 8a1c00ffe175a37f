import 'reflect-metadata';
import { threadId } from 'node:worker_threads';
import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import {
  TasksModule,
  configureLogging,
  loadLogSettings,
  PinoNestLogger,
  runExecutorThread,
  workerId,
} from '@app/tasks';
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

// the worker's settings and flags reach the thread through the environment it inherits (see exportFlags)
const log = configureLogging(loadLogSettings(), {
  sync: true,
  bindings: { worker: workerId({ name: process.env.WORKER_NAME || undefined }), thread: threadId },
});
void runExecutorThread(ExecutorModule, new PinoNestLogger(log));
