import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { hostname } from 'node:os';
import type { TasksConfig } from '../config/tasks.config.js';
import type { TaskEventInfo } from '../core/decorators.js';
import type { TaskEnvelope } from '../core/envelope.js';
import { RetryTaskError } from '../core/errors.js';
import { QueueRegistry } from '../core/queue-registry.js';
import { retryDelayMs } from '../core/retry-delay.js';
import { TaskCatalogue } from '../core/task-catalogue.js';
import { redisOptions } from '../redis/redis-connection.js';
import { TASKS_CONFIG } from '../tokens.js';
import { HandlerRegistry } from './handler-registry.js';
import { RevocationListener } from './revocation-listener.js';
import { Semaphore } from './semaphore.js';
import { TERMINATE_REASON, TaskRunner } from './task-runner.js';
import { WORKER_RUNTIME_OPTIONS, type WorkerRuntimeOptions } from './worker-options.js';

/**
 * One BullMQ Worker per queue this process consumes, all sharing one concurrency budget, as a Celery worker's
 * pool serves all its queues. Every worker knows every task; the queues only partition the work.
 */
@Injectable()
export class TaskWorkerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(TaskWorkerService.name);
  private readonly workers: Worker<TaskEnvelope>[] = [];
  private readonly slots: Semaphore;
  readonly id: string;
  readonly startedAt = Date.now();
  processed = 0;
  failed = 0;

  constructor(
    @Inject(WORKER_RUNTIME_OPTIONS) readonly options: WorkerRuntimeOptions,
    @Inject(TASKS_CONFIG) private readonly config: TasksConfig,
    private readonly runner: TaskRunner,
    private readonly handlers: HandlerRegistry,
    private readonly catalogue: TaskCatalogue,
    private readonly queues: QueueRegistry,
    private readonly revocations: RevocationListener,
  ) {
    this.slots = new Semaphore(options.concurrency);
    this.id = options.name ?? `${hostname()}:${process.pid}`;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.revocations.start((id) => this.terminate(id));
    const shared = this.options.queues.length > 1;
    for (const queue of this.options.queues) {
      await this.queues.announce(queue);
      const worker = new Worker<TaskEnvelope>(
        queue,
        shared
          ? async (job, _token, signal) => {
              await this.slots.acquire();
              try {
                return await this.runner.run(job, signal);
              } finally {
                this.slots.release();
              }
            }
          : (job, _token, signal) => this.runner.run(job, signal),
        {
          connection: redisOptions(this.config.redisUrl, 'consumer'),
          prefix: this.config.prefix,
          concurrency: this.options.concurrency,
          name: this.id,
          settings: { backoffStrategy: (attempts, _type, error, job) => this.backoff(attempts, error, job) },
        },
      );
      worker.on('completed', (job, result) => this.onCompleted(job, result));
      worker.on('failed', (job, error) => job && this.onFailed(job, error));
      worker.on('error', (error) => this.logger.warn(`${queue}: ${error.message}`));
      this.workers.push(worker);
    }
    this.logger.log(
      `worker ${this.id} consuming [${this.options.queues.join(', ')}] with concurrency ${this.options.concurrency}`,
    );
  }

  private backoff(attempts: number, error: Error | undefined, job: { name: string } | undefined): number {
    if (error instanceof RetryTaskError && error.countdown !== undefined) return error.countdown * 1000;
    const task = job ? this.catalogue.find(job.name) : undefined;
    return retryDelayMs(task?.retry, attempts, this.config.defaultRetryDelay);
  }

  /** Stops a running task on this process, if it runs here; true when it did. */
  terminate(id: string): boolean {
    return this.workers.some((worker) => worker.cancelJob(id, TERMINATE_REASON));
  }

  private info(job: Job<TaskEnvelope>): TaskEventInfo {
    return {
      id: job.id ?? '',
      name: job.name,
      queue: job.queueName,
      retries: Math.max(0, job.attemptsMade - 1),
      payload: job.data?.kwargs,
    };
  }

  private onCompleted(job: Job<TaskEnvelope>, result: unknown): void {
    this.processed++;
    if (this.handlers.hasHooks('success'))
      void this.handlers.runHooks('success', { ...this.info(job), result });
  }

  private onFailed(job: Job<TaskEnvelope>, error: Error): void {
    const final = error instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
    if (final) this.failed++;
    const outcome = final ? 'failure' : 'retry';
    if (this.handlers.hasHooks(outcome)) void this.handlers.runHooks(outcome, { ...this.info(job), error });
  }

  /** Warm shutdown: stop taking work, let running tasks finish, then close. */
  async onApplicationShutdown(): Promise<void> {
    this.logger.log(`worker ${this.id}: warm shutdown, waiting for running tasks`);
    await Promise.all(this.workers.map((worker) => worker.close()));
  }
}
