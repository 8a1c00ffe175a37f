import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  type Attributes,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import type { Job } from 'bullmq';
import type { TaskEnvelope } from '../core/envelope.js';
import type { JobSpec } from '../core/signature.js';

// messaging semantic conventions (still "incubating" in @opentelemetry/semantic-conventions, whose advice is
// to copy such names rather than import them)
const MESSAGING_SYSTEM = 'messaging.system';
const MESSAGING_OPERATION_TYPE = 'messaging.operation.type';
const MESSAGING_OPERATION_NAME = 'messaging.operation.name';
const MESSAGING_DESTINATION_NAME = 'messaging.destination.name';
const MESSAGING_MESSAGE_ID = 'messaging.message.id';
const MESSAGING_BATCH_COUNT = 'messaging.batch.message_count';
export const TASK_NAME = 'codehubot.task.name';
export const TASK_ATTEMPT = 'codehubot.task.attempt';

/** Marks a span failed with this error. */
export function failSpan(span: Span, error: unknown): void {
  if (error instanceof Error) span.recordException(error);
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
  });
}

/** Runs `fn` as the span's body: the span ends when it settles, failed if it rejects. */
async function within<T>(span: Span, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    failSpan(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/**
 * The producer's `send` span around adding jobs: a child of whatever span is active (the HTTP request's),
 * its context written into each job's envelope (`tp`, W3C traceparent) for the consumer to continue.
 */
export function traceSend<T>(tracer: Tracer, jobs: readonly JobSpec[], add: () => Promise<T>): Promise<T> {
  const first = jobs[0];
  const queues = [...new Set(jobs.map((job) => job.queueName))];
  const attributes: Attributes = {
    [MESSAGING_SYSTEM]: 'bullmq',
    [MESSAGING_OPERATION_TYPE]: 'send',
    [MESSAGING_OPERATION_NAME]: 'send',
  };
  if (queues.length === 1) attributes[MESSAGING_DESTINATION_NAME] = queues[0];
  if (jobs.length === 1) {
    attributes[MESSAGING_MESSAGE_ID] = first.opts.jobId;
    attributes[TASK_NAME] = first.name;
  } else {
    attributes[MESSAGING_BATCH_COUNT] = jobs.length;
  }
  const name = jobs.length === 1 ? `send ${first.name}` : `send ${jobs.length} tasks`;
  return tracer.startActiveSpan(name, { kind: SpanKind.PRODUCER, attributes }, (span) => {
    const carrier: Record<string, string> = {};
    propagation.inject(context.active(), carrier);
    for (const job of jobs) job.data.tp = carrier;
    return within(span, add);
  });
}

/**
 * The consumer's span around one run of a task: a child of the context its producer sent along (a root span
 * when it came without one), active while the task runs (jobs it queues are its children), failed with the
 * task's error.
 */
export function traceRun<T>(tracer: Tracer, job: Job<TaskEnvelope>, run: () => Promise<T>): Promise<T> {
  const carrier = job.data?.tp;
  const parent = carrier ? propagation.extract(ROOT_CONTEXT, carrier) : ROOT_CONTEXT;
  const attributes: Attributes = {
    [MESSAGING_SYSTEM]: 'bullmq',
    [MESSAGING_OPERATION_TYPE]: 'process',
    [MESSAGING_OPERATION_NAME]: 'process',
    [MESSAGING_DESTINATION_NAME]: job.queueName,
    [MESSAGING_MESSAGE_ID]: job.id ?? '',
    [TASK_NAME]: job.name,
    [TASK_ATTEMPT]: job.attemptsMade + 1,
  };
  return tracer.startActiveSpan(
    `process ${job.name}`,
    { kind: SpanKind.CONSUMER, attributes },
    parent,
    (span) => within(span, run),
  );
}
