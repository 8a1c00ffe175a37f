import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadWorkerSettings, parseQueueList } from '../config/worker.config.js';
import { WorkerModule } from '../worker.module.js';

export interface WorkerFlags {
  queues?: string;
  concurrency?: number;
  maxTasksPerChild?: number;
  name?: string;
}

/**
 * `codehubot worker`: consumes the given queues until SIGTERM/SIGINT, which is a warm shutdown (stop taking
 * work, let running tasks finish, exit 0).
 */
export async function runWorker(flags: WorkerFlags): Promise<void> {
  const settings = loadWorkerSettings();
  const app = await NestFactory.createApplicationContext(
    WorkerModule.forRoot({
      queues: flags.queues ? parseQueueList(flags.queues) : settings.queues,
      concurrency: flags.concurrency ?? settings.concurrency,
      name: flags.name ?? settings.name,
    }),
    { bufferLogs: false },
  );
  const logger = new Logger('Worker');
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) {
      logger.warn(`${signal} again: cold shutdown, running tasks are left to crash recovery`);
      process.exit(1);
    }
    stopping = true;
    logger.log(`${signal}: warm shutdown`);
    void app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error(`shutdown failed: ${String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  await app.init();
}
