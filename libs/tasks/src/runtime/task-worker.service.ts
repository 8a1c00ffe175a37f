import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TasksConfig } from '../config/tasks.config.js';
import type { TaskEnvelope } from '../core/envelope.js';
import { RetryTaskError, TaskLostError, TaskRevokedError } from '../core/errors.js';
import { WorkflowMembers } from '../workflows/workflow-members.js';
import { QueueRegistry } from '../core/queue-registry.js';
import { isFinalFailure, retryDelayMs } from '../core/retry-delay.js';
import { TaskCatalogue } from '../core/task-catalogue.js';
import type { WorkerInfo } from '../core/worker-info.js';
import { warnIfRedisEvicts } from '../redis/eviction-check.js';
import { redisOptions } from '../redis/redis-connection.js';
import { PRODUCER_REDIS, TASKS_CONFIG } from '../tokens.js';
import { TASK_EXECUTOR, type TaskExecutor } from './executors/task-executor.js';
import { DeadWorkerReclaimer } from './dead-worker-reclaimer.js';
import { ResultSweeper } from './result-sweeper.js';
import { RevocationListener } from './revocation-listener.js';
import { Semaphore } from './semaphore.js';
import { TaskHooks } from './task-hooks.js';
import { TaskLifecycle } from './task-lifecycle.js';
import { TaskRunner } from './task-runner.js';
import { WorkerHeartbeat, type WorkerSnapshot } from './worker-heartbeat.js';
import { WORKER_RUNTIME_OPTIONS, workerId, type WorkerRuntimeOptions } from './worker-options.js';

/**
 * One BullMQ Worker per queue this process consumes, all sharing one concurrency budget, as a Celery worker's
 * pool serves all its queues. Every worker knows every task; the queues only partition the work.
 */
@Injectable()
export class TaskWorkerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(TaskWorkerService.name);
  /** This process's BullMQ worker for each queue it consumes. */
  private readonly workers = new Map<string, Worker<TaskEnvelope>>();
  private readonly slots: Semaphore;
  private readonly heartbeat: WorkerHeartbeat;
  private readonly sweeper: ResultSweeper;
  private readonly reclaimer: DeadWorkerReclaimer;
  readonly id: string;
  private readonly startedAt = new Date();
  private processed = 0;
  private failed = 0;
  /** The delay BullMQ was given for each task's next attempt, until its failure is reported. */
  private readonly retryDelays = new Map<string, number>();

  constructor(
    @Inject(WORKER_RUNTIME_OPTIONS) readonly options: WorkerRuntimeOptions,
    @Inject(TASKS_CONFIG) private readonly config: TasksConfig,
    @Inject(TASK_EXECUTOR) private readonly executor: TaskExecutor,
    @Inject(PRODUCER_REDIS) private readonly redis: Redis,
    private readonly runner: TaskRunner,
    private readonly hooks: TaskHooks,
    private readonly catalogue: TaskCatalogue,
    private readonly queues: QueueRegistry,
    private readonly revocations: RevocationListener,
    private readonly members: WorkflowMembers,
    private readonly lifecycle: TaskLifecycle,
  ) {
    this.slots = new Semaphore(options.concurrency);
    this.id = workerId(options);
    this.heartbeat = new WorkerHeartbeat(
      redis,
      config.prefix,
      this.id,
      () => this.snapshot(),
      () => [...this.workers.values()].map((worker) => worker.id),
    );
    this.sweeper = new ResultSweeper(queues, options.queues, config.resultExpires);
    this.reclaimer = new DeadWorkerReclaimer(
      redis,
      config.prefix,
      this.id,
      this.workers,
      options.deadAfter * 1000,
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    await warnIfRedisEvicts(this.redis, this.logger);
    // executor threads boot in the background: consuming starts now, and a task that needs a thread waits
    // for the first one ready (a worker consumes and is listed within a second or so of its start)
    void this.executor.start().then(
      () => this.logger.log(`worker ${this.id}: executor ready`),
      (error: unknown) => this.executorFailed(error),
    );
    await this.revocations.start((id) => this.terminate(id));
    for (const queue of this.options.queues) {
      await this.queues.announce(queue);
      this.workers.set(queue, this.consume(queue));
    }
    this.heartbeat.start();
    this.sweeper.start();
    this.reclaimer.start();
    this.logger.log(
      `worker ${this.id} consuming [${this.options.queues.join(', ')}] with concurrency ${this.options.concurrency}` +
        ` (pool: ${this.options.pool.kind}${this.options.pool.kind === 'threads' ? ` × ${this.options.pool.size}` : ''})`,
    );
  }

  private consume(queue: string): Worker<TaskEnvelope> {
    const shared = this.options.queues.length > 1;
    const worker = new Worker<TaskEnvelope>(
      queue,
      // one parameter: BullMQ then makes no AbortController per job; terminate goes through the runner
      shared ? (job) => this.runShared(job) : (job) => this.runner.run(job),
      {
        connection: redisOptions(this.config.redisUrl, 'consumer'),
        prefix: this.config.prefix,
        concurrency: this.options.concurrency,
        // no BullMQ worker `name`: it would write a `pb` field into every job and read it back with the next
        // one; which worker runs what is in our heartbeats (`inspect active`)
        lockDuration: this.options.lockDuration * 1000,
        stalledInterval: this.options.stalledInterval * 1000,
        maxStalledCount: this.options.maxStalledCount,
        // finished tasks are kept until the sweeper removes them, once RESULT_EXPIRES has passed
        settings: { backoffStrategy: (attempts, _type, error, job) => this.backoff(attempts, error, job) },
      },
    );
    worker.on('completed', (job, result) => this.onCompleted(job, result));
    worker.on('failed', (job, error) => job && this.onFailed(job, error));
    worker.on('error', (error) => this.logger.warn(`${queue}: ${error.message}`));
    // taken for dead while it was only slow: another worker runs these now, and BullMQ will not record what
    // this run ends with; stop it rather than let it finish for nothing
    worker.on('lockRenewalFailed', (ids) => ids.forEach((id) => this.runner.abandon(id)));
    return worker;
  }

  /** A worker that cannot run its tasks must not hold any: it leaves at once, what it fetched goes to others. */
  private executorFailed(error: unknown): void {
    this.logger.error(
      `task executor failed to start: ${error instanceof Error ? error.message : String(error)}`,
    );
    process.exit(1);
  }

  /** Several queues share one concurrency budget, as a Celery pool serves all its queues. */
  private async runShared(job: Job<TaskEnvelope>): Promise<unknown> {
    await this.slots.acquire();
    try {
      return await this.runner.run(job);
    } finally {
      this.slots.release();
    }
  }

  private backoff(
    attempts: number,
    error: Error | undefined,
    job: { id?: string; name: string } | undefined,
  ): number {
    const delay =
      error instanceof RetryTaskError && error.countdown !== undefined
        ? error.countdown * 1000
        : retryDelayMs(
            job ? this.catalogue.find(job.name)?.retry : undefined,
            attempts,
            this.config.defaultRetryDelay,
          );
    if (job?.id) this.retryDelays.set(job.id, delay);
    return delay;
  }

  /** Stops a running task on this process, if it runs here; true when it did. */
  terminate(id: string): boolean {
    return this.runner.terminate(id);
  }

  private snapshot(): WorkerSnapshot {
    return {
      id: this.id,
      queues: this.options.queues,
      concurrency: this.options.concurrency,
      active: [...this.runner.active()].map(([task_id, a]) => ({
        task_id,
        name: a.name,
        queue: a.queue,
        started_at: new Date(a.startedAt).toISOString(),
      })),
      processed: this.processed,
      failed: this.failed,
      registered: this.executor.registered(),
      started_at: this.startedAt.toISOString(),
      pool: this.executor.stats(),
    };
  }

  /** This worker's heartbeat as it would publish it now. */
  info(): WorkerInfo {
    return this.heartbeat.info();
  }

  private onCompleted(job: Job<TaskEnvelope>, result: unknown): void {
    this.processed++;
    this.lifecycle.succeeded(job, result);
    this.hooks.emit('success', job, { result });
  }

  private onFailed(job: Job<TaskEnvelope>, error: Error): void {
    // BullMQ has counted this attempt by now
    const final = isFinalFailure(job, error, job.attemptsMade);
    const delay = this.retryDelays.get(job.id ?? '');
    this.retryDelays.delete(job.id ?? '');
    if (!final) {
      this.lifecycle.retrying(job, error, delay ?? 0);
      return this.hooks.emit('retry', job, { error });
    }
    this.lifecycle.failed(job, error);
    // a member failed by BullMQ itself (stalled too often) never reached the runner: its workflow ends here
    const ref = job.data?.wf;
    if (ref && !(error instanceof TaskLostError)) {
      this.members
        .failed(ref, error)
        .catch((e: unknown) => this.logger.warn(`workflow ${ref.wf}: ${String(e)}`));
    }
    this.processed++;
    this.failed++;
    if (!(error instanceof TaskRevokedError) && !error.message.startsWith('REVOKED:')) {
      this.hooks.emit('failure', job, { error });
    }
  }

  /**
   * Warm shutdown: stop taking work and let running tasks finish, for at most `shutdownGrace` seconds; what
   * still runs then is left to crash recovery (a live worker hands it back to its queue at once).
   */
  async onApplicationShutdown(): Promise<void> {
    // stop taking work first (close() marks each worker closing at once), then say so: a task queued after the
    // line below is left to other workers
    const closed = Promise.all([...this.workers.values()].map((worker) => worker.close()));
    this.logger.log(
      `worker ${this.id}: warm shutdown, waiting up to ${this.options.shutdownGrace} s for running tasks`,
    );
    await this.reclaimer.stop();
    const grace = new AbortController();
    const graceOver = sleep(this.options.shutdownGrace * 1000, 'timeout' as const, {
      signal: grace.signal,
    }).catch(() => undefined);
    const outcome = await Promise.race([closed, graceOver]);
    grace.abort();
    if (outcome === 'timeout') {
      this.logger.warn(
        `grace time over: ${this.runner.active().size} running task(s) left to crash recovery`,
      );
      // close(true) is a no-op once close() runs (it returns the pending close, which waits for the tasks):
      // drop the connections instead, so that nothing is recorded for the abandoned tasks (handed back below)
      await Promise.all(
        [...this.workers.values()].map((worker) => worker.disconnect().catch(() => undefined)),
      );
    }
    await this.sweeper.stop();
    // tasks left behind: marked dead at once, so that live workers take them over now
    await this.heartbeat.stop(outcome === 'timeout', this.options.deadAfter * 1000);
    await this.executor.close();
  }
}
