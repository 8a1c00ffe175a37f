import { Inject, Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import type { TasksConfig } from '../config/tasks.config.js';
import type { TaskEnvelope } from '../core/envelope.js';
import {
  HardTimeLimitExceeded,
  PermanentTaskError,
  SoftTimeLimitExceeded,
  TaskRevokedError,
} from '../core/errors.js';
import { TaskCatalogue } from '../core/task-catalogue.js';
import { TASKS_CONFIG } from '../tokens.js';
import { TASK_EXECUTOR, type TaskExecutor } from './executors/task-executor.js';
import { RevocationListener } from './revocation-listener.js';
import { WORKER_RUNTIME_OPTIONS, type WorkerRuntimeOptions } from './worker-options.js';

/** Why a running task was told to stop, as given to BullMQ's `cancelJob`. */
export const TERMINATE_REASON = 'terminated';

/**
 * Runs one job on the consumer side: refuses revoked, expired and unknown work as permanent failures, hands
 * the task to the executor, and enforces the limits from outside it — the soft limit fires the task's signal,
 * the hard limit (and a terminate the task ignores) ends it, even in code that never yields.
 */
@Injectable()
export class TaskRunner {
  constructor(
    @Inject(TASK_EXECUTOR) private readonly executor: TaskExecutor,
    private readonly catalogue: TaskCatalogue,
    private readonly revocations: RevocationListener,
    @Inject(TASKS_CONFIG) private readonly config: TasksConfig,
    @Inject(WORKER_RUNTIME_OPTIONS) private readonly options: WorkerRuntimeOptions,
  ) {}

  run(job: Job<TaskEnvelope>, signal?: AbortSignal): Promise<unknown> {
    const id = job.id ?? '';
    const task = this.catalogue.find(job.name);
    if (!task) return Promise.reject(new PermanentTaskError(`Unknown task: ${job.name}`));
    if (this.revocations.has(id)) return Promise.reject(new TaskRevokedError('revoked'));
    const expires = job.data?.expires;
    if (expires !== undefined && expires <= Date.now())
      return Promise.reject(new TaskRevokedError('expired'));

    const soft = task.timeLimits?.soft ?? this.config.softTimeLimit;
    const hard = task.timeLimits?.hard ?? this.config.timeLimit;
    return new Promise<unknown>((resolve, reject) => {
      const timers: NodeJS.Timeout[] = [];
      let settled = false;
      const settle = (outcome: () => void): void => {
        if (settled) return;
        settled = true;
        timers.forEach(clearTimeout);
        signal?.removeEventListener('abort', onTerminate);
        outcome();
      };
      const stop = (error: Error): void => {
        if (!this.executor.kill(id, error)) settle(() => reject(error));
      };
      const onTerminate = (): void => {
        const error = new TaskRevokedError('terminated');
        this.executor.abort(id, error);
        timers.push(setTimeout(() => stop(error), this.options.terminateGrace * 1000));
      };
      signal?.addEventListener('abort', onTerminate, { once: true });
      if (soft < hard) {
        timers.push(setTimeout(() => this.executor.abort(id, new SoftTimeLimitExceeded(soft)), soft * 1000));
      }
      timers.push(setTimeout(() => stop(new HardTimeLimitExceeded(hard)), hard * 1000));
      this.executor
        .execute(
          {
            id,
            name: job.name,
            queue: job.queueName,
            payload: job.data?.kwargs,
            retries: job.attemptsMade,
            maxRetries: task.retry?.maxRetries ?? 0,
          },
          { onProgress: (progress) => job.updateProgress(progress) },
        )
        .then(
          (result) => settle(() => resolve(result)),
          (error: Error) => settle(() => reject(error)),
        );
    });
  }
}
