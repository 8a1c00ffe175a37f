import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Job } from 'bullmq';
import type { TasksConfig } from '../config/tasks.config.js';
import type { TaskEnvelope } from '../core/envelope.js';
import {
  HardTimeLimitExceeded,
  PermanentTaskError,
  SoftTimeLimitExceeded,
  TaskLostError,
  TaskRevokedError,
} from '../core/errors.js';
import { TaskCatalogue } from '../core/task-catalogue.js';
import { traceRun } from '../tracing/job-spans.js';
import { activeTracer } from '../tracing/tracing.js';
import { TASKS_CONFIG } from '../tokens.js';
import { LazyAbort } from './executors/lazy-abort.js';
import { TASK_EXECUTOR, type TaskExecutor } from './executors/task-executor.js';
import { RevocationListener } from './revocation-listener.js';
import { TaskLifecycle } from './task-lifecycle.js';
import { replacementOf } from '../workflows/replace.js';
import { WorkflowMembers } from '../workflows/workflow-members.js';
import { WORKER_RUNTIME_OPTIONS, type WorkerRuntimeOptions } from './worker-options.js';

/** How often running tasks are checked against their limits: a limit fires at most this late. */
const LIMIT_CHECK_MS = 100;

/** One task running on this process, as the runner and `inspect active` see it. */
export interface RunningTask {
  readonly name: string;
  readonly queue: string;
  /** When its code started (the executor may have kept it waiting for a thread): its limits run from here. */
  startedAt: number;
  /**
   * Epoch ms of the soft limit (Infinity when it is not below the hard one), then of the hard limit; both
   * Infinity until its code starts.
   */
  softAt: number;
  hardAt: number;
  /** Set by a terminate: when its grace runs out, and the error the task then ends with. */
  graceEndsAt?: number;
  terminated?: Error;
  /** Fired with the reason to stop: soft limit, terminate. */
  readonly abort: LazyAbort;
  /** Settles the task's run with this error (the executor could not end it). */
  readonly fail: (error: Error) => void;
}

/**
 * Runs one job on the consumer side: refuses revoked, expired and unknown work as permanent failures, hands
 * the task to the executor, and enforces the limits from outside it — the soft limit fires the task's signal,
 * the hard limit (and a terminate the task ignores) ends it, even in code that never yields. One timer checks
 * every running task's limits, rather than two timers a task.
 */
@Injectable()
export class TaskRunner implements OnModuleDestroy {
  private readonly running = new Map<string, RunningTask>();
  private readonly limitCheck: NodeJS.Timeout;

  constructor(
    @Inject(TASK_EXECUTOR) private readonly executor: TaskExecutor,
    private readonly catalogue: TaskCatalogue,
    private readonly revocations: RevocationListener,
    @Inject(TASKS_CONFIG) private readonly config: TasksConfig,
    @Inject(WORKER_RUNTIME_OPTIONS) private readonly options: WorkerRuntimeOptions,
    private readonly members: WorkflowMembers,
    private readonly lifecycle: TaskLifecycle,
  ) {
    this.limitCheck = setInterval(() => this.checkLimits(Date.now()), LIMIT_CHECK_MS).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.limitCheck);
  }

  /** The tasks running on this process now, by id. */
  active(): ReadonlyMap<string, RunningTask> {
    return this.running;
  }

  /** Tells a task running here to stop (its signal fires; after `terminateGrace` it is ended); true if it runs here. */
  terminate(id: string): boolean {
    return this.stopWithGrace(id, new TaskRevokedError('terminated'));
  }

  /** Stops a run whose lock was lost (its task was handed to another worker), as a terminate does. */
  abandon(id: string): boolean {
    return this.stopWithGrace(id, new TaskLostError());
  }

  private stopWithGrace(id: string, reason: Error): boolean {
    const task = this.running.get(id);
    if (task && !task.terminated) {
      task.terminated = reason;
      task.graceEndsAt = Date.now() + this.options.terminateGrace * 1000;
      this.abort(id, task, reason);
    }
    return task !== undefined;
  }

  private checkLimits(now: number): void {
    for (const [id, task] of this.running) {
      if (task.graceEndsAt !== undefined && now >= task.graceEndsAt && task.terminated) {
        this.stop(id, task, task.terminated);
      } else if (now >= task.hardAt) {
        this.stop(id, task, new HardTimeLimitExceeded((task.hardAt - task.startedAt) / 1000));
      } else if (now >= task.softAt) {
        this.abort(id, task, new SoftTimeLimitExceeded((task.softAt - task.startedAt) / 1000));
        task.softAt = Infinity;
      }
    }
  }

  /** Fires the task's signal, here and wherever the executor runs it. */
  private abort(id: string, task: RunningTask, reason: Error): void {
    task.abort.abort(reason);
    this.executor.abort(id, reason);
  }

  /** Ends a task whatever it does: the executor ends its thread, or (inline) the run fails and is abandoned. */
  private stop(id: string, task: RunningTask, error: Error): void {
    this.running.delete(id);
    if (!this.executor.kill(id, error)) task.fail(error);
  }

  /**
   * Runs one job. A workflow member then moves its workflow on before the job is marked done (so that a crash
   * in between repeats the step rather than loses it), and a task that returned `ctx.replace(…)` has its
   * workflow queued in its place. With tracing on, all of it is the consumer's span.
   */
  run(job: Job<TaskEnvelope>): Promise<unknown> {
    this.lifecycle.received(job);
    const tracer = activeTracer();
    return tracer ? traceRun(tracer, job, () => this.runJob(job)) : this.runJob(job);
  }

  private runJob(job: Job<TaskEnvelope>): Promise<unknown> {
    const ref = job.data?.wf;
    return ref ? this.members.run(job, ref, this.execute(job)) : this.execute(job);
  }

  private execute(job: Job<TaskEnvelope>): Promise<unknown> {
    const id = job.id ?? '';
    const task = this.catalogue.find(job.name);
    if (!task) return Promise.reject(new PermanentTaskError(`Unknown task: ${job.name}`));
    if (this.revocations.has(id)) return Promise.reject(new TaskRevokedError('revoked'));
    const data = job.data;
    if (data?.expires !== undefined && data.expires <= Date.now())
      return Promise.reject(new TaskRevokedError('expired'));

    const soft = task.timeLimits?.soft ?? this.config.softTimeLimit;
    const hard = task.timeLimits?.hard ?? this.config.timeLimit;
    const startedAt = Date.now();
    return new Promise<unknown>((resolve, reject) => {
      // a run ended by a limit may still settle later (inline code cannot be stopped): it must not remove a
      // later run of the same task (a retry) from the map
      const forget = (): void => {
        if (this.running.get(id) === running) this.running.delete(id);
      };
      const running: RunningTask = {
        name: job.name,
        queue: job.queueName,
        startedAt,
        // its limits run from when its code starts (`onStart`), not from a wait for a thread
        softAt: Infinity,
        hardAt: Infinity,
        abort: new LazyAbort(),
        fail: (error) => {
          forget();
          reject(error);
        },
      };
      this.running.set(id, running);
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
            scheduledFor: data?.sched?.at,
          },
          {
            onProgress: (progress) => job.updateProgress(progress),
            abort: running.abort,
            onStart: () => {
              const at = Date.now();
              running.startedAt = at;
              running.softAt = soft < hard ? at + soft * 1000 : Infinity;
              running.hardAt = at + hard * 1000;
              this.lifecycle.started(job, at);
            },
          },
        )
        .then((result) => {
          forget();
          const replacement = replacementOf(result);
          resolve(replacement ? this.members.replace(job, replacement) : result);
        }, running.fail);
    });
  }
}
