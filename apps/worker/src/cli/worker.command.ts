import { Logger, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  configureLogging,
  flushLogs,
  loadLogSettings,
  PinoNestLogger,
  startTracingFromEnv,
  stopTracing,
  workerId,
  type PoolOptions,
  type WorkerRuntimeOptions,
} from '@app/tasks';
import { loadWorkerSettings, parseQueueList } from '../config/worker.config.js';
import { WorkerModule } from '../worker.module.js';

export interface WorkerFlags {
  queues?: string;
  concurrency?: number;
  maxTasksPerChild?: number;
  maxMemoryPerChild?: number;
  pool?: string;
  poolSize?: number;
  name?: string;
  loglevel?: string;
  logfile?: string;
  beat?: boolean;
}

/**
 * `--loglevel`, `--logfile` and `--name` override LOG_LEVEL, LOG_FILE and WORKER_NAME by setting them: the
 * executor threads, which inherit this process's environment, then log the same way, under the same name.
 */
export function exportFlags(flags: WorkerFlags, env: NodeJS.ProcessEnv = process.env): void {
  if (flags.loglevel) env.LOG_LEVEL = flags.loglevel.toLowerCase();
  if (flags.logfile) env.LOG_FILE = flags.logfile;
  if (flags.name) env.WORKER_NAME = flags.name;
}

export function workerOptions(flags: WorkerFlags): WorkerRuntimeOptions {
  const settings = loadWorkerSettings();
  const kind = flags.pool ?? settings.pool;
  if (kind !== 'threads' && kind !== 'inline')
    throw new Error(`--pool must be threads or inline, not ${kind}`);
  const pool: PoolOptions =
    kind === 'inline'
      ? { kind }
      : {
          kind,
          entry: new URL('../executor.main.js', import.meta.url),
          size: flags.poolSize ?? settings.poolSize,
          maxTasksPerChild: flags.maxTasksPerChild ?? settings.maxTasksPerChild,
          maxMemoryMb: flags.maxMemoryPerChild ?? settings.maxMemoryPerChild,
        };
  return {
    queues: flags.queues ? parseQueueList(flags.queues) : settings.queues,
    concurrency: flags.concurrency ?? settings.concurrency,
    name: flags.name ?? settings.name,
    pool,
    deadAfter: settings.deadAfter,
    lockDuration: settings.lockDuration,
    stalledInterval: settings.stalledInterval,
    maxStalledCount: settings.maxStalledCount,
    shutdownGrace: settings.shutdownGrace,
    terminateGrace: settings.terminateGrace,
  };
}

/**
 * `codehubot worker`: consumes the given queues until SIGTERM/SIGINT, which is a warm shutdown (stop taking
 * work, let running tasks finish within the grace time, exit 0). A second signal is a cold shutdown.
 */
export async function runWorker(flags: WorkerFlags): Promise<void> {
  const options = workerOptions(flags);
  const log = configureLogging(loadLogSettings(), { bindings: { worker: workerId(options) } });
  const nestLogger = new PinoNestLogger(log);
  Logger.overrideLogger(nestLogger);
  startTracingFromEnv('codehubot-worker');
  const logger = new Logger('Worker');
  let app: INestApplicationContext | undefined = undefined; // set once started; signals may come before
  let stopping = false;
  const close = (context: INestApplicationContext): void =>
    void context
      .close()
      .then(() => stopTracing())
      .then(
        () => flushLogs().then(() => process.exit(0)),
        (error: unknown) => {
          logger.error(`shutdown failed: ${String(error)}`);
          process.exit(1);
        },
      );
  const stop = (signal: string): void => {
    if (stopping) {
      logger.warn(`${signal} again: cold shutdown, running tasks are left to crash recovery`);
      process.exit(1);
    }
    stopping = true;
    logger.log(`${signal}: warm shutdown`);
    if (app) close(app);
  };
  // Listen before start-up: the worker consumes as soon as it is bootstrapped, inside createApplicationContext,
  // and a signal arriving while no listener exists would kill it cold (Node's default for SIGTERM).
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  app = await NestFactory.createApplicationContext(WorkerModule.forRoot(options, flags.beat ?? false), {
    logger: nestLogger,
  });
  if (stopping) close(app);
}
