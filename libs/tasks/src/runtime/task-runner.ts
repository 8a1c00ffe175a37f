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

  /** How to stop each task running on this process, by id (revoke with terminate). */
  private readonly terminators = new Map<string, () => void>();

  /** Tells a task running here to stop (its signal fires; after `terminateGrace` it is ended); true if it runs here. */
  terminate(id: string): boolean {
    const terminate = this.terminators.get(id);
    terminate?.();
    return terminate !== undefined;
  }

  run(job: Job<TaskEnvelope>): Promise<unknown> {
    const id = job.id ?? '';
    const task = this.catalogue.find(job.name);
    if (!task) return Promise.reject(new PermanentTaskError(`Unknown task: ${job.name}`));
    if (this.revocations.has(id)) return Promise.reject(new TaskRevokedError('revoked'));
    const data = job.data;
    if (data?.expires !== undefined && data.expires <= Date.now())
      return Promise.reject(new TaskRevokedError('expired'));

    const soft = task.timeLimits?.soft ?? this.config.softTimeLimit;
    const hard = task.timeLimits?.hard ?? this.config.timeLimit;
    return new Promise<unknown>((resolve, reject) => {
      let settled = false;
      let graceTimer: NodeJS.Timeout | undefined;
      const stop = (error: Error): void => {
        if (!this.executor.kill(id, error)) settle(reject, error);
      };
      const onHardLimit = (): void => stop(new HardTimeLimitExceeded(hard));
      // one timer at a time: the soft limit's, then the hard limit's for the time left
      let limitTimer =
        soft < hard
          ? setTimeout(() => {
              this.executor.abort(id, new SoftTimeLimitExceeded(soft));
              limitTimer = setTimeout(onHardLimit, (hard - soft) * 1000);
            }, soft * 1000)
          : setTimeout(onHardLimit, hard * 1000);
      const settle = (outcome: (value: never) => void, value: unknown): void => {
        if (settled) return;
        settled = true;
        clearTimeout(limitTimer);
        if (graceTimer) clearTimeout(graceTimer);
        this.terminators.delete(id);
        outcome(value as never);
      };
      this.terminators.set(id, () => {
        if (graceTimer) return;
        const error = new TaskRevokedError('terminated');
        this.executor.abort(id, error);
        graceTimer = setTimeout(() => stop(error), this.options.terminateGrace * 1000);
      });
      this.executor
        .execute(
          {
            id,
            name: job.name,
            queue: job.queueName,
            payload: data?.kwargs,
            schema: data?.schema,
            retries: job.attemptsMade,
            maxRetries: task.retry?.maxRetries ?? 0,
          },
          { onProgress: (progress) => job.updateProgress(progress) },
        )
        .then(
          (result) => settle(resolve, result),
          (error: Error) => settle(reject, error),
        );
    });
  }
}
