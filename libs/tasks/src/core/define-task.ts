import type { Type } from '@nestjs/common';

/** How a task retries. Celery's `max_retries` / `default_retry_delay`, plus opt-in exponential backoff. */
export interface RetryPolicy {
  /** Retries after the first run; 0 means a failure is final. */
  readonly maxRetries: number;
  /** Seconds before a retry; unset means `TASK_DEFAULT_RETRY_DELAY`. */
  readonly delay?: number;
  /** `exponential` doubles the delay each retry (delay, 2×, 4×…), capped at `maxDelay`. */
  readonly backoff?: 'fixed' | 'exponential';
  readonly maxDelay?: number;
  /** Spreads retries over [delay/2, delay] so that a burst of failures does not retry in lock-step. */
  readonly jitter?: boolean;
}

export interface TimeLimits {
  /** Seconds; the task's AbortSignal fires and the task fails. Unset: `TASK_SOFT_TIME_LIMIT`. */
  readonly soft?: number;
  /** Seconds; the task is stopped whatever it does. Unset: `TASK_TIME_LIMIT`. */
  readonly hard?: number;
}

/**
 * Where a task runs under the default thread pool. `thread`: in an executor thread, so that a hard time limit
 * ends it even in code that never yields, and its thread is recycled after `--max-tasks-per-child`. `none`: on
 * the consumer's own event loop, with no hop to a thread (a no-op task costs about half as much): for short
 * tasks and tasks that only await I/O. Its soft limit and terminate fire its signal as usual, but a hard limit
 * can only fail it, not stop code that never yields, so CPU-heavy or untrusted code must not declare it.
 */
export type TaskIsolation = 'thread' | 'none';

/**
 * A task, declared once and imported by both apps: the producer enqueues with it, the worker handles it.
 * `P` is the payload (keyword arguments, by the task's parameter names), `R` the JSON result.
 */
export interface TaskDefinition<P extends object, R> {
  /** Wire name, stable forever: `tasks.embedding.vectorize`. */
  readonly name: string;
  /** Normally left out: the routing table decides. */
  readonly queue?: string;
  /** Positional order of the parameters, so that `args: [4, 4]` maps onto `{x: 4, y: 4}`. */
  readonly params: readonly (keyof P & string)[];
  /** class-validator class for the payload: checked before queueing and again before running. */
  readonly payload: Type<P>;
  readonly retry?: RetryPolicy;
  readonly timeLimits?: TimeLimits;
  /** Default `thread`. See `TaskIsolation`. */
  readonly isolation?: TaskIsolation;
  /** One line for catalogues and the OpenAPI description. */
  readonly description: string;
  /** Phantom: carries the result type; never set. */
  readonly __result?: R;
}

/** Any task definition, whatever its payload and result. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- variance: a definition of any payload must fit
export type AnyTask = TaskDefinition<any, unknown>;

export const defineTask = <P extends object, R>(definition: TaskDefinition<P, R>): TaskDefinition<P, R> =>
  Object.freeze({ ...definition });

export type PayloadOf<T> = T extends TaskDefinition<infer P, unknown> ? P : never;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- inference position only
export type ResultOf<T> = T extends TaskDefinition<any, infer R> ? R : never;
