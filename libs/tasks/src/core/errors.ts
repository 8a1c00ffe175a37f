import { UnrecoverableError } from 'bullmq';

/**
 * A failure that retrying cannot fix (bad payload, missing row, a 4xx from a provider). BullMQ skips the
 * remaining attempts for it.
 */
export class PermanentTaskError extends UnrecoverableError {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentTaskError';
  }
}

/** Prefix of the failure reason of a revoked or expired task: how its state reads REVOKED after the fact. */
export const REVOKED_REASON_PREFIX = 'REVOKED:';

export class TaskRevokedError extends UnrecoverableError {
  constructor(reason: 'revoked' | 'terminated' | 'expired' | 'purged') {
    super(`${REVOKED_REASON_PREFIX} ${reason}`);
    this.name = 'TaskRevokedError';
  }
}

export class SoftTimeLimitExceeded extends UnrecoverableError {
  constructor(seconds: number) {
    super(`SoftTimeLimitExceeded: soft time limit (${seconds} s) exceeded`);
    this.name = 'SoftTimeLimitExceeded';
  }
}

/** Thrown by `ctx.retry()`: asks for another attempt, optionally after `countdown` seconds. */
export class RetryTaskError extends Error {
  constructor(
    readonly countdown: number | undefined,
    cause?: unknown,
  ) {
    super(cause instanceof Error ? `Retry requested: ${cause.message}` : 'Retry requested', { cause });
    this.name = 'RetryTaskError';
  }
}

/** The payload or its values do not fit the task: names each field at fault. */
export class PayloadValidationError extends Error {
  constructor(
    readonly taskName: string,
    readonly problems: string[],
  ) {
    super(`${taskName}: ${problems.join('; ')}`);
    this.name = 'PayloadValidationError';
  }
}

export class UnknownTaskError extends Error {
  /** `path`: where a workflow names it (`chain[1].group[0]`). */
  constructor(
    readonly taskName: string,
    readonly path?: string,
  ) {
    super(`Unknown task: ${taskName}${path ? ` (at ${path})` : ''}`);
    this.name = 'UnknownTaskError';
  }
}

/** A value that would not survive JSON (a Date, undefined, NaN, a function, a cycle…). */
export class NotJsonError extends Error {
  constructor(
    readonly path: string,
    readonly what: string,
  ) {
    super(`${path} is ${what}, which JSON cannot carry`);
    this.name = 'NotJsonError';
  }
}

/** Arrays and objects nested deeper than the limit: whatever walks them next could run out of stack. */
export class JsonTooDeepError extends NotJsonError {
  constructor(path: string, maxDepth: number) {
    super(path, `nested deeper than ${maxDepth} levels`);
    this.message = `${path}: arrays and objects nested deeper than ${maxDepth} levels`;
    this.name = 'JsonTooDeepError';
  }
}

/** An idempotency key already names a task with another name or other arguments. */
export class IdempotencyConflictError extends Error {
  constructor(readonly taskId: string) {
    super(`idempotency_key was already used for a different task or different arguments (task ${taskId})`);
    this.name = 'IdempotencyConflictError';
  }
}

/** A calling option (countdown, eta, expires, priority, queue…) that cannot be honoured. */
export class InvalidOptionError extends Error {
  constructor(
    readonly option: string,
    reason: string,
  ) {
    super(`${option}: ${reason}`);
    this.name = 'InvalidOptionError';
  }
}

export class TaskNotFoundError extends Error {
  constructor(readonly taskId: string) {
    super(`No task ${taskId} (unknown id, or its result expired)`);
    this.name = 'TaskNotFoundError';
  }
}

/** `AsyncResult.get()` on a task that ended in FAILURE or REVOKED. */
export class TaskFailedError extends Error {
  constructor(
    readonly taskId: string,
    readonly state: string,
    reason: string,
  ) {
    super(`Task ${taskId} ended ${state}: ${reason}`);
    this.name = 'TaskFailedError';
  }
}

export class TaskTimeoutError extends Error {
  constructor(
    readonly taskId: string,
    seconds: number,
  ) {
    super(`Task ${taskId} not ready after ${seconds} s`);
    this.name = 'TaskTimeoutError';
  }
}

export class HardTimeLimitExceeded extends UnrecoverableError {
  constructor(seconds: number) {
    super(`TimeLimitExceeded: hard time limit (${seconds} s) exceeded; the task was stopped`);
    this.name = 'HardTimeLimitExceeded';
  }
}

/**
 * A run whose worker was taken for dead (silent past `WORKER_DEAD_AFTER`) while it was only slow: another worker
 * runs the task now, and whatever this run ends with is not recorded.
 */
export class TaskLostError extends UnrecoverableError {
  constructor() {
    super('TaskLost: this worker was taken for dead and the task handed to another; this run is discarded');
    this.name = 'TaskLostError';
  }
}
