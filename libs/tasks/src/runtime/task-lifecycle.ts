import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { TasksConfig } from '../config/tasks.config.js';
import type { TaskEnvelope } from '../core/envelope.js';
import { TaskRevokedError } from '../core/errors.js';
import { TaskEventBuffer } from '../events/event-buffer.js';
import { cappedJson } from '../events/capped-json.js';
import { rootLogger } from '../logging/root-logger.js';
import { TaskLog } from '../logging/task-log.js';
import type { TaskEvent } from '../events/task-event.js';
import { PRODUCER_REDIS, TASKS_CONFIG } from '../tokens.js';
import { WORKER_RUNTIME_OPTIONS, workerId, type WorkerRuntimeOptions } from './worker-options.js';

/**
 * The one place a worker says what happens to each task it runs: received, started, succeeded, retried,
 * failed, revoked. Each becomes a log line, and (but `received`, which the producer writes) an event on the
 * stream (history, metrics, alerts) when those are on.
 */
@Injectable()
export class TaskLifecycle implements OnApplicationShutdown {
  private readonly logger = new Logger('TaskLifecycle');
  readonly worker: string;
  private readonly events: TaskEventBuffer | undefined;
  private readonly log: TaskLog;
  /** When each running attempt's code started, by task id. */
  private readonly starts = new Map<string, number>();

  constructor(
    @Inject(TASKS_CONFIG) private readonly config: TasksConfig,
    @Inject(PRODUCER_REDIS) redis: Redis,
    @Inject(WORKER_RUNTIME_OPTIONS) options: WorkerRuntimeOptions,
  ) {
    this.worker = workerId(options);
    const root = rootLogger();
    // the worker command binds `worker` to every line already
    const worker = 'worker' in root.bindings() ? {} : { worker: this.worker };
    this.log = new TaskLog(root.child({ context: 'TaskLifecycle', ...worker }));
    this.events = config.events.enabled
      ? new TaskEventBuffer(redis, config.prefix, config.events.maxLen, 50, (error) =>
          this.logger.warn(`task events not sent yet: ${String(error)}`),
        )
      : undefined;
  }

  /** This worker took the job from its queue (each attempt). */
  received(job: Job<TaskEnvelope>): void {
    this.log.received(job);
  }

  /** Its code starts now (attempt `job.attemptsMade + 1`). */
  started(job: Job<TaskEnvelope>, at: number): void {
    const id = job.id ?? '';
    this.starts.set(id, at);
    const attempt = job.attemptsMade + 1;
    this.log.started(job, attempt);
    this.emit({
      t: 'started',
      id,
      at,
      worker: this.worker,
      attempt,
      ...(attempt === 1 ? { ready: job.timestamp + (job.opts.delay ?? 0) } : {}),
    });
  }

  succeeded(job: Job<TaskEnvelope>, result: unknown): void {
    const id = job.id ?? '';
    const at = Date.now();
    const runtime = this.runtime(id, at);
    this.log.succeeded(job, runtime, result);
    if (!this.events) return;
    const { json, cut } = cappedJson(result, this.config.events.resultMaxBytes);
    this.emit({
      t: 'succeeded',
      id,
      at,
      worker: this.worker,
      attempt: job.attemptsMade,
      runtime: runtime ?? 0,
      result: json,
      ...(cut ? { cut } : {}),
    });
  }

  /** An attempt failed; it runs again in `delayMs`. */
  retrying(job: Job<TaskEnvelope>, error: Error, delayMs: number): void {
    const id = job.id ?? '';
    this.runtime(id, Date.now());
    this.log.retrying(job, error, delayMs);
    this.emit({
      t: 'retry',
      id,
      at: Date.now(),
      worker: this.worker,
      attempt: job.attemptsMade,
      error: errorText(error),
      delay: delayMs,
    });
  }

  /** Failed for good, or (a revoke, an expiry) ended without running. */
  failed(job: Job<TaskEnvelope>, error: Error): void {
    const id = job.id ?? '';
    const at = Date.now();
    const runtime = this.runtime(id, at);
    if (error instanceof TaskRevokedError || error.message.startsWith('REVOKED:')) {
      this.log.revoked(job, error.message);
      this.emit({ t: 'revoked', id, at, worker: this.worker, reason: error.message });
      return;
    }
    this.log.failed(job, error, runtime);
    this.emit({
      t: 'failed',
      id,
      at,
      worker: this.worker,
      attempt: job.attemptsMade,
      ...(runtime !== undefined ? { runtime } : {}),
      error: errorText(error),
      ...(error.stack ? { traceback: error.stack } : {}),
    });
  }

  private runtime(id: string, at: number): number | undefined {
    const start = this.starts.get(id);
    this.starts.delete(id);
    return start === undefined ? undefined : at - start;
  }

  private emit(event: TaskEvent): void {
    this.events?.push(event);
  }

  /** Sends the last events before the process leaves. */
  async onApplicationShutdown(): Promise<void> {
    await this.events?.flush();
  }
}

function errorText(error: Error): string {
  return `${error.name}: ${error.message}`;
}
