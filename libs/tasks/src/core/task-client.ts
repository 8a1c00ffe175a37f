import { Inject, Injectable } from '@nestjs/common';
import { Job, type JobsOptions } from 'bullmq';
import type { TasksConfig } from '../config/tasks.config.js';
import { QUEUE_NAME_PATTERN } from '../queues.js';
import { TASKS_CONFIG } from '../tokens.js';
import { AsyncResult, type StatusSource } from './async-result.js';
import type { AnyTask, TaskDefinition } from './define-task.js';
import type { TaskEnvelope } from './envelope.js';
import { IdempotencyConflictError, InvalidOptionError } from './errors.js';
import { describeJob } from './job-status.js';
import { canonicalJson } from './json.js';
import { bindArguments, validatePayload } from './payload.js';
import { payloadSchema } from './payload-schema.js';
import { QueueInspector } from './queue-inspector.js';
import { QueueRegistry } from './queue-registry.js';
import { Revocations } from './revocations.js';
import { MAX_PRIORITY, type SubmitOptions } from './submit-options.js';
import { TaskCatalogue } from './task-catalogue.js';
import { idempotentTaskId, newTaskId } from './task-id.js';
import { statusText, TaskState, type TaskStatus } from './task-state.js';

function toEpochMs(option: string, value: number | Date, now: number): number {
  const ms = value instanceof Date ? value.getTime() : now + value * 1000;
  if (!Number.isFinite(ms)) throw new InvalidOptionError(option, 'is not a valid time');
  return ms;
}

/**
 * The producer side of the task system: submit (typed, or by name as the REST API does), look up status,
 * revoke. Validates payloads and options before anything reaches Redis.
 */
@Injectable()
export class TaskClient implements StatusSource {
  constructor(
    private readonly queues: QueueRegistry,
    private readonly revocations: Revocations,
    private readonly catalogue: TaskCatalogue,
    private readonly inspector: QueueInspector,
    @Inject(TASKS_CONFIG) private readonly config: TasksConfig,
  ) {}

  /** Queues a task; the payload is checked against the definition at compile time and again here. */
  async submit<P extends object, R>(
    task: TaskDefinition<P, R>,
    payload: P,
    options: SubmitOptions = {},
  ): Promise<AsyncResult<R>> {
    const kwargs = validatePayload<P>(task, payload);
    return this.enqueue<R>(task, kwargs, options);
  }

  /** Celery's `send_task`: by wire name, with positional `args` and/or `kwargs`. */
  async submitByName(
    name: string,
    args: readonly unknown[] | undefined,
    kwargs: Readonly<Record<string, unknown>> | undefined,
    options: SubmitOptions = {},
  ): Promise<AsyncResult<unknown>> {
    const task = this.catalogue.get(name);
    const payload = validatePayload<object>(task, bindArguments(task, args, kwargs));
    return this.enqueue(task, payload, options);
  }

  /** Builds the BullMQ options of one submission; throws `InvalidOptionError` naming the option at fault. */
  private jobOptions(task: AnyTask, options: SubmitOptions, jobId: string, now: number): JobsOptions {
    if (options.countdown !== undefined && options.eta !== undefined) {
      throw new InvalidOptionError('countdown', 'give countdown or eta, not both');
    }
    if (options.countdown !== undefined && !(options.countdown >= 0)) {
      throw new InvalidOptionError('countdown', 'must be a number of seconds ≥ 0');
    }
    const runAt = options.eta ? toEpochMs('eta', options.eta, now) : now + (options.countdown ?? 0) * 1000;
    if (
      options.priority !== undefined &&
      !(Number.isInteger(options.priority) && options.priority >= 0 && options.priority <= MAX_PRIORITY)
    ) {
      throw new InvalidOptionError('priority', `must be an integer from 0 to ${MAX_PRIORITY}`);
    }
    // only what differs from BullMQ's defaults: every key stored here is parsed again each time the job is read
    const jobOptions: JobsOptions = { jobId };
    const delay = Math.max(0, Math.round(runAt - now));
    if (delay > 0) jobOptions.delay = delay;
    if (options.priority) jobOptions.priority = options.priority;
    const maxRetries = task.retry?.maxRetries ?? 0;
    if (maxRetries > 0) {
      jobOptions.attempts = maxRetries + 1;
      jobOptions.backoff = { type: 'task' };
    }
    return jobOptions;
  }

  private async enqueue<R>(task: AnyTask, kwargs: object, options: SubmitOptions): Promise<AsyncResult<R>> {
    const now = Date.now();
    const queueName = options.queue ?? task.queue ?? this.queues.router.route(task.name);
    if (!QUEUE_NAME_PATTERN.test(queueName)) {
      throw new InvalidOptionError('queue', 'letters, digits, _ and - only, not starting with _ or -');
    }
    const jobId =
      options.idempotencyKey !== undefined ? idempotentTaskId(options.idempotencyKey) : newTaskId();
    const jobOptions = this.jobOptions(task, options, jobId, now);
    const envelope: TaskEnvelope<object> = { kwargs };
    const schema = payloadSchema(task);
    if (schema) envelope.schema = schema;
    if (options.expires !== undefined) {
      envelope.expires = toEpochMs('expires', options.expires, now);
      if (envelope.expires <= now) throw new InvalidOptionError('expires', 'is already in the past');
      if (envelope.expires <= now + (jobOptions.delay ?? 0)) {
        throw new InvalidOptionError('expires', 'comes before the task may run (countdown/eta)');
      }
    }
    if (options.idempotencyKey !== undefined) {
      const existing = await this.findJob(jobId);
      if (existing) {
        this.assertSameCall(existing, task, kwargs);
        return new AsyncResult<R>(jobId, this);
      }
    }
    await this.queues.announce(queueName);
    const queue = this.queues.get(queueName);
    await queue.add(task.name, envelope, jobOptions);
    if (options.idempotencyKey !== undefined) {
      // a concurrent submission with the same key may have added first: BullMQ then kept its job, not ours
      const stored = await Job.fromId<TaskEnvelope>(queue, jobId);
      if (stored) this.assertSameCall(stored, task, kwargs);
      return new AsyncResult<R>(jobId, this);
    }
    const submittedState = (jobOptions.delay ?? 0) > 0 ? TaskState.Scheduled : TaskState.Pending;
    return new AsyncResult<R>(jobId, this, submittedState);
  }

  /** An idempotency key stands for one call: the same task with the same arguments (key order aside). */
  private assertSameCall(job: Job<TaskEnvelope>, task: AnyTask, kwargs: object): void {
    if (job.name !== task.name || canonicalJson(job.data.kwargs) !== canonicalJson(kwargs)) {
      throw new IdempotencyConflictError(job.id ?? '');
    }
  }

  /** A handle on a task by id, as Celery's `AsyncResult(id)`. */
  result<R = unknown>(id: string): AsyncResult<R> {
    return new AsyncResult<R>(id, this);
  }

  /** The job behind a task id, in whichever queue it is; undefined when unknown or expired. */
  async findJob(id: string): Promise<Job<TaskEnvelope> | undefined> {
    const names = await this.queues.knownQueues();
    const found = await Promise.all(names.map((name) => Job.fromId<TaskEnvelope>(this.queues.get(name), id)));
    const job = found.find((j): j is Job<TaskEnvelope> => j !== undefined);
    if (!job) return undefined;
    const expiredAt =
      job.finishedOn !== undefined ? job.finishedOn + this.config.resultExpires * 1000 : Infinity;
    return expiredAt > Date.now() ? job : undefined;
  }

  /** The status answer of one task, or null when the id is unknown or its result has expired. */
  async status(id: string): Promise<TaskStatus | null> {
    let job = await this.findJob(id);
    if (!job) return this.purgedStatus(id);
    const [state, revoked] = await Promise.all([job.getState(), this.revocations.revokedFrom(id)]);
    let jobState = state;
    const finishedSince = (jobState === 'completed' || jobState === 'failed') && job.finishedOn === undefined;
    if (finishedSince || jobState === 'active') {
      // it may have started or finished between the two reads: read it again, so that the job matches its
      // state (an active job's processedOn tells whether it is being refused as revoked or expired)
      job = await Job.fromId<TaskEnvelope>(this.queues.get(job.queueName), id);
      if (!job) return null;
      // and an active job that has finished since: its state again, or it would read as still running with
      // the finished attempt counted as a retry
      if (jobState === 'active' && job.finishedOn !== undefined) jobState = await job.getState();
    }
    return describeJob(job, jobState, revoked ?? false);
  }

  private async purgedStatus(id: string): Promise<TaskStatus | null> {
    const purged = await this.inspector.purgedTask(id);
    if (!purged) return null;
    const state = TaskState.Revoked;
    return {
      task_id: id,
      state,
      status: statusText(state),
      name: purged.name,
      queue: purged.queue,
      retries: 0,
      date_done: purged.date_done,
      error: 'REVOKED: purged',
    };
  }

  /**
   * Revokes a task wherever it is: a task not yet started never runs; with `terminate` a running one is
   * stopped. Returns the status after the revoke, or null for an unknown id.
   */
  async revoke(id: string, terminate = false): Promise<TaskStatus | null> {
    const job = await this.findJob(id);
    if (!job) return this.purgedStatus(id);
    await this.revocations.revoke(id, terminate, job.timestamp + job.delay);
    return this.status(id);
  }
}
