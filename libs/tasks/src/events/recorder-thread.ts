import {
  Inject,
  Injectable,
  Logger,
  type DynamicModule,
  type INestApplicationContext,
  type LoggerService,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type Type,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { setPriority } from 'node:os';
import { once } from 'node:events';
import { parentPort, Worker } from 'node:worker_threads';
import type { TasksConfig } from '../config/tasks.config.js';
import { TASKS_CONFIG } from '../tokens.js';

/** The compiled module a recorder thread runs (it calls `runRecorderThread`). */
export const RECORDER_THREAD_ENTRY = Symbol('RECORDER_THREAD_ENTRY');

/**
 * The recorder thread's nice value: its writes (history rows, metrics) yield the cores to the requests and
 * tasks of the machine, and catch up when those leave time. On Linux a thread's priority is its own.
 */
const RECORDER_NICE = 10;
/** A thread that died is started again after this, doubling with each death in a row up to the maximum. */
const RESTART_MIN_MS = 1_000;
const RESTART_MAX_MS = 30_000;
/** How long a stopping thread may take to finish its batch before it is ended. */
const STOP_TIMEOUT_MS = 10_000;

type FromRecorder = { t: 'ready' } | { t: 'fatal'; message: string };
type ToRecorder = { t: 'stop' };

/**
 * Runs the events recorder (and whatever its module brings: the history's writes, the metrics and alerts
 * sinks) on a thread of the process with a database connection of its own, so that its batches, synchronous
 * SQLite transactions included, never hold the process's event loop; started again when it dies.
 */
@Injectable()
export class RecorderThread implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('RecorderThread');
  private worker: Worker | undefined;
  private deaths = 0;
  private restart: NodeJS.Timeout | undefined;
  private stopping = false;

  constructor(
    @Inject(TASKS_CONFIG) private readonly config: TasksConfig,
    @Inject(RECORDER_THREAD_ENTRY) private readonly entry: URL,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.events.enabled) this.spawn();
  }

  private spawn(): void {
    const worker = new Worker(this.entry, { stdout: false, stderr: false });
    this.worker = worker;
    worker.on('message', (message: FromRecorder) => {
      if (message.t === 'ready') this.deaths = 0;
      else this.logger.error(`recorder thread failed to start: ${message.message}`);
    });
    worker.on('error', (error) => this.logger.error(`recorder thread: ${error.message}`));
    worker.on('exit', (code) => {
      this.worker = undefined;
      if (this.stopping) return;
      const delay = Math.min(RESTART_MAX_MS, RESTART_MIN_MS * 2 ** this.deaths++);
      this.logger.warn(`recorder thread exited (${code}); starting another in ${delay} ms`);
      this.restart = setTimeout(() => this.spawn(), delay);
      this.restart.unref();
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restart);
    const worker = this.worker;
    if (!worker) return;
    const exited = once(worker, 'exit');
    worker.postMessage({ t: 'stop' } satisfies ToRecorder);
    const timer = setTimeout(() => void worker.terminate(), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }
}

/**
 * The body of a recorder thread: lowers its own priority, boots `module` (which holds the recorder and its
 * sinks), says it is ready, and closes it (the recorder releasing its lease) when told to stop. `prepare` runs
 * on the booted context first (e.g. to tune the thread's own database connection).
 */
export async function runRecorderThread(
  module: Type | DynamicModule,
  logger: LoggerService,
  prepare?: (app: INestApplicationContext) => Promise<void> | void,
): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('runRecorderThread must run inside a worker thread');
  const send = (message: FromRecorder): void => port.postMessage(message);
  // elsewhere a priority is the whole process's: left as it is
  if (process.platform === 'linux') setPriority(RECORDER_NICE);
  let app: INestApplicationContext;
  try {
    app = await NestFactory.createApplicationContext(module, { logger, abortOnError: false });
    await prepare?.(app);
  } catch (error) {
    send({ t: 'fatal', message: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  }
  port.on('message', (message: ToRecorder) => {
    if (message.t === 'stop') void app.close().finally(() => process.exit(0));
  });
  send({ t: 'ready' });
}
