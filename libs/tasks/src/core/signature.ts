import type { JobsOptions } from 'bullmq';
import { QUEUE_NAME_PATTERN } from '../queues.js';
import type { AnyTask, TaskDefinition } from './define-task.js';
import type { TaskEnvelope } from './envelope.js';
import { InvalidOptionError } from './errors.js';
import { bindArguments, validatePayload } from './payload.js';
import { payloadSchema } from './payload-schema.js';
import { MAX_PRIORITY, type SubmitOptions } from './submit-options.js';
import type { TaskCatalogue } from './task-catalogue.js';
import { idempotentTaskId, newTaskId } from './task-id.js';

/**
 * Celery's signature: one task, its validated payload and its call options. Every way of queueing a task (a
 * plain submit, each member of a workflow, a periodic schedule) starts from one, and `toJobSpec` turns it into
 * what BullMQ stores, so routing, ids, idempotency, priorities and expiry behave alike wherever a task is queued.
 */
export interface Signature<P extends object = object, R = unknown> {
  readonly task: TaskDefinition<P, R>;
  /** The keyword arguments, already checked against the task's payload class. */
  readonly payload: P;
  readonly options: SubmitOptions;
}

/** A signature of a task known at compile time: the payload's type is checked against the definition. */
export function signature<P extends object, R>(
  task: TaskDefinition<P, R>,
  payload: P,
  options: SubmitOptions = {},
): Signature<P, R> {
  return { task, payload: validatePayload<P>(task, payload), options };
}

/** A signature of any task, as one known only by name is. */
export interface AnySignature {
  readonly task: AnyTask;
  readonly payload: object;
  readonly options: SubmitOptions;
}

/** A signature by wire name, with Celery's positional `args` and/or `kwargs` (Celery's `send_task`). */
export function signatureByName(
  catalogue: TaskCatalogue,
  name: string,
  args: readonly unknown[] | undefined,
  kwargs: Readonly<Record<string, unknown>> | undefined,
  options: SubmitOptions = {},
): AnySignature {
  const task = catalogue.get(name);
  return { task, payload: validatePayload<object>(task, bindArguments(task, args, kwargs)), options };
}

/** One BullMQ job, as `Queue.add(name, data, opts)` takes it. */
export interface JobSpec {
  queueName: string;
  name: string;
  data: TaskEnvelope<object>;
  opts: JobsOptions & { jobId: string };
}

/** What turning a signature into a job needs from outside: the routing table, the clock, and maybe an id. */
export interface JobSpecContext {
  route(taskName: string): string;
  now: number;
  /** A task id chosen by the caller (a workflow member's); otherwise from the idempotency key, or a new one. */
  id?: string;
}

function toEpochMs(option: string, value: number | Date, now: number): number {
  const ms = value instanceof Date ? value.getTime() : now + value * 1000;
  if (!Number.isFinite(ms)) throw new InvalidOptionError(option, 'is not a valid time');
  return ms;
}

/** BullMQ's options of one job; throws `InvalidOptionError` naming the option at fault. */
function jobOptions(maxRetries: number, options: SubmitOptions, jobId: string, now: number): JobSpec['opts'] {
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
  const opts: JobSpec['opts'] = { jobId };
  const delay = Math.max(0, Math.round(runAt - now));
  if (delay > 0) opts.delay = delay;
  if (options.priority) opts.priority = options.priority;
  if (maxRetries > 0) {
    opts.attempts = maxRetries + 1;
    opts.backoff = { type: 'task' };
  }
  return opts;
}

/**
 * The job BullMQ stores for a signature. Pure but for a fresh random id when none is given: the queue comes
 * from the options or the routing table, the id from the context, the idempotency key or a new UUID; the
 * envelope carries the payload, the fingerprint of the rules it passed, and the expiry.
 */
export function toJobSpec<P extends object>(
  sig: Signature<P, unknown> | AnySignature,
  context: JobSpecContext,
): JobSpec {
  const { task, payload, options } = sig;
  const { now } = context;
  const queueName = options.queue ?? task.queue ?? context.route(task.name);
  if (!QUEUE_NAME_PATTERN.test(queueName)) {
    throw new InvalidOptionError('queue', 'letters, digits, _ and - only, not starting with _ or -');
  }
  const jobId =
    context.id ??
    (options.idempotencyKey !== undefined ? idempotentTaskId(options.idempotencyKey) : newTaskId());
  const opts = jobOptions(task.retry?.maxRetries ?? 0, options, jobId, now);
  const data: TaskEnvelope<object> = { kwargs: payload };
  if (options.requestId !== undefined) data.rid = options.requestId;
  const schema = payloadSchema(task);
  if (schema) data.schema = schema;
  if (options.expires !== undefined) {
    data.expires = toEpochMs('expires', options.expires, now);
    if (data.expires <= now) throw new InvalidOptionError('expires', 'is already in the past');
    if (data.expires <= now + (opts.delay ?? 0)) {
      throw new InvalidOptionError('expires', 'comes before the task may run (countdown/eta)');
    }
  }
  return { queueName, name: task.name, data, opts };
}
