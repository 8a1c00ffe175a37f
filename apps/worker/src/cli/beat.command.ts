import { Logger, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { configureLogging, flushLogs, loadLogSettings, PinoNestLogger } from '@app/tasks';
import { hostname } from 'node:os';
import { BeatModule } from '../beat.module.js';

/**
 * `codehubot beat`: queues the schedules' ticks until SIGTERM/SIGINT. Any number may run, started together or
 * not: each tick is queued once (docs/SCHEDULES.md).
 */
export async function runBeat(): Promise<void> {
  const log = configureLogging(loadLogSettings(), { bindings: { beat: `${hostname()}:${process.pid}` } });
  const nestLogger = new PinoNestLogger(log);
  Logger.overrideLogger(nestLogger);
  const logger = new Logger('Beat');
  let app: INestApplicationContext | undefined = undefined;
  let stopping = false;
  const close = (context: INestApplicationContext): void =>
    void context.close().then(
      () => flushLogs().then(() => process.exit(0)),
      (error: unknown) => {
        logger.error(`shutdown failed: ${String(error)}`);
        process.exit(1);
      },
    );
  const stop = (signal: string): void => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.log(`${signal}: stopping`);
    if (app) close(app);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  app = await NestFactory.createApplicationContext(BeatModule, { logger: nestLogger });
  if (stopping) close(app);
}
