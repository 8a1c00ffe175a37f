/**
 * What happened to a task, as one record on the events stream (`<prefix>:_events`): written by the producer
 * (in the same MULTI as the job, so a submission and its `received` event are one), by workers (buffered, a
 * few per pipeline) and by revokes; read by the recorder, which feeds the history, the metrics and the alerts.
 * Field names are short: every task writes two or three of these.
 */
export type TaskEvent =
  ReceivedEvent | StartedEvent | RetryEvent | SucceededEvent | FailedEvent | RevokedEvent;

interface EventBase {
  /** Task id. */
  id: string;
  /** Epoch ms when it happened (the writer's clock). */
  at: number;
}

/** Queued: by `POST /tasks/{name}`, a workflow, a schedule or the CLI. */
export interface ReceivedEvent extends EventBase {
  t: 'received';
  name: string;
  queue: string;
  /** The validated keyword arguments, as queued (not yet redacted: the recorder redacts before storing). */
  kwargs: unknown;
  /** The workflow it belongs to. */
  parent?: string;
  /** Epoch ms it may start at, when later than `at` (countdown/eta). */
  eta?: number;
  /** The request id of the HTTP call that queued it. */
  rid?: string;
}

/** A worker started it (attempt 1 is the first run). */
export interface StartedEvent extends EventBase {
  t: 'started';
  worker: string;
  attempt: number;
  /** On a first attempt: epoch ms it became ready to run (queued, or its eta reached); wait = `at` − this. */
  ready?: number;
}

/** An attempt failed and it will run again after `delay` ms. */
export interface RetryEvent extends EventBase {
  t: 'retry';
  worker: string;
  attempt: number;
  error: string;
  delay: number;
}

export interface SucceededEvent extends EventBase {
  t: 'succeeded';
  worker: string;
  attempt: number;
  /** Ms its code ran. */
  runtime: number;
  /** The result as JSON, cut to the configured size (then `cut` is true). */
  result: string;
  cut?: boolean;
}

/** Failed for good (retries spent, or a permanent error). */
export interface FailedEvent extends EventBase {
  t: 'failed';
  worker?: string;
  attempt: number;
  runtime?: number;
  error: string;
  traceback?: string;
}

/** Revoked: before it ran (never runs), or terminated while it ran. */
export interface RevokedEvent extends EventBase {
  t: 'revoked';
  worker?: string;
  reason: string;
}

export type TaskEventType = TaskEvent['t'];

/**
 * An event as read back from the stream: with the id of its entry (ordered; the recorder's cursor) and its
 * place in that entry (an entry holds a batch of events), which together identify it.
 */
export type StreamedEvent = TaskEvent & { sid: string; i: number };
