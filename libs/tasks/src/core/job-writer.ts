import { Inject, Injectable } from '@nestjs/common';
import { Job, type IRedisTransaction } from 'bullmq';
import type { ChainableCommander } from 'ioredis';
import type { TasksConfig } from '../config/tasks.config.js';
import { appendEvents } from '../events/event-stream.js';
import type { ReceivedEvent } from '../events/task-event.js';
import { TASKS_CONFIG } from '../tokens.js';
import { traceSend } from '../tracing/job-spans.js';
import { activeTracer } from '../tracing/tracing.js';
import { QueueRegistry } from './queue-registry.js';
import { currentRequestId } from './request-context.js';
import type { JobSpec } from './signature.js';

/**
 * The one place jobs are added to BullMQ: each with what travels with it (the request id of the call that
 * queued it, the trace context when tracing is on) and its `received` event, in one MULTI — a task is in the history exactly when it is queued, and
 * a producer killed in between leaves neither.
 */
@Injectable()
export class JobWriter {
  constructor(
    private readonly queues: QueueRegistry,
    @Inject(TASKS_CONFIG) private readonly config: TasksConfig,
  ) {}

  /**
   * Adds jobs (and whatever `alsoDo` adds) in one MULTI: all of them or none. Jobs whose ids exist already are
   * left as they are (BullMQ keeps the first).
   */
  add(jobs: readonly JobSpec[], alsoDo?: (multi: IRedisTransaction) => void): Promise<void> {
    const tracer = activeTracer();
    return tracer ? traceSend(tracer, jobs, () => this.write(jobs, alsoDo)) : this.write(jobs, alsoDo);
  }

  private async write(jobs: readonly JobSpec[], alsoDo?: (multi: IRedisTransaction) => void): Promise<void> {
    const names = [...new Set(jobs.map((job) => job.queueName))];
    for (const name of names) await this.queues.announce(name);
    const queues = new Map(names.map((name) => [name, this.queues.get(name)]));
    const anyQueue = queues.values().next().value ?? this.queues.get('default');
    // every queue shares the producer's connection: one transaction spans them (each queue's scripts loaded)
    const client = await anyQueue.getBackend().client;
    for (const queue of queues.values()) await queue.waitUntilReady();
    const multi = client.multi();
    alsoDo?.(multi);
    const rid = currentRequestId();
    const now = Date.now();
    await Promise.all(
      jobs.map((spec) => {
        const queue = queues.get(spec.queueName);
        if (!queue) throw new Error(`no queue ${spec.queueName}`);
        if (rid !== undefined) spec.data.rid = rid;
        return new Job(queue, spec.name, spec.data, spec.opts, spec.opts.jobId).addJob(multi);
      }),
    );
    if (this.config.events.enabled) {
      appendEvents(
        multi as unknown as ChainableCommander,
        this.config.prefix,
        this.config.events.maxLen,
        jobs.map((spec) => receivedEvent(spec, now)),
      );
    }
    const results = await multi.exec();
    if (!results) throw new Error('transaction aborted');
    const failed = results.find(([error]) => error);
    if (failed?.[0]) throw failed[0];
  }
}

function receivedEvent(spec: JobSpec, now: number): ReceivedEvent {
  const delay = spec.opts.delay ?? 0;
  const event: ReceivedEvent = {
    t: 'received',
    id: spec.opts.jobId,
    at: now,
    name: spec.name,
    queue: spec.queueName,
    kwargs: spec.data.kwargs,
  };
  if (spec.data.wf) event.parent = spec.data.wf.wf;
  if (delay > 0) event.eta = now + delay;
  if (spec.data.rid !== undefined) event.rid = spec.data.rid;
  return event;
}
