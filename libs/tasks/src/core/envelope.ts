import type { MemberRef } from '../workflows/workflow-engine.js';

/**
 * What a BullMQ job's `data` holds for one of our tasks: the validated keyword arguments and the calling
 * options that must travel with the task (Celery puts these in message headers).
 */
export interface TaskEnvelope<P = Record<string, unknown>> {
  kwargs: P;
  /** Epoch ms after which the task is not run and reads REVOKED. */
  expires?: number;
  /** The payload rules the producer checked `kwargs` against (`payloadSchema`); absent when unknown. */
  schema?: string;
  /** Set on a workflow member: its workflow and place in it. */
  wf?: MemberRef;
  /** The request id of the HTTP call that queued it (the worker's log lines carry it). */
  rid?: string;
  /** Set on a task queued by a schedule: its name and the tick's nominal time (epoch ms). */
  sched?: { name: string; at: number };
  /** The trace context it was queued in (W3C `traceparent`/`tracestate`), when tracing is on. */
  tp?: Record<string, string>;
}
