import type { RequestContext } from './request-context.js';

/** Celery's `apply_async` options, in our units, and the request that queues the task. */
export interface SubmitOptions extends RequestContext {
  /** Seconds to wait before the task may run. */
  countdown?: number;
  /** Earliest time the task may run. */
  eta?: Date;
  /** Seconds from now, or a time: a task picked up later is not run and reads REVOKED. */
  expires?: number | Date;
  /** 1 (first) … MAX_PRIORITY (last); unset or 0 is plain FIFO, which BullMQ serves before prioritized tasks. */
  priority?: number;
  /** Overrides the routing table. */
  queue?: string;
  /** Same key → same task id; the task runs once. */
  idempotencyKey?: string;
}

/** BullMQ's largest priority (2^21 - 1): it refuses a job with a larger one. */
export const MAX_PRIORITY = 2_097_151;
