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
import type { JobSpec } from './signature.js';

type AlsoDo = (multi: IRedisTransaction) => void;

/** One caller's `add`, waiting for the next write. */
interface PendingAdd {
  jobs: readonly JobSpec[];
  alsoDo?: AlsoDo;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * The one place jobs are added to BullMQ: each with what travels with it (the trace context when tracing is
 * on) and its `received` event, in one MULTI — a task is in the
 * history exactly when it is queued, and a producer killed in between leaves neither.
 *
 * Group commit: the adds made during one turn of the event loop (50 HTTP requests answered together, say) share
 * one MULTI, one socket write and one XADD of their events. Each caller still learns only of its own commands'
 * errors, and each caller's jobs are added all or none, as if it had written alone.
 */
@Injectable()
export class JobWriter {
  private pending: PendingAdd[] = [];

  constructor(
    private readonly queues: QueueRegistry,
    @Inject(TASKS_CONFIG) private readonly config: TasksConfig,
  ) {}

  /**
   * Adds jobs (and whatever `alsoDo` adds) in one MULTI: all of them or none. Jobs whose ids exist already are
   * left as they are (BullMQ keeps the first).
   */
  add(jobs: readonly JobSpec[], alsoDo?: AlsoDo): Promise<void> {
    const tracer = activeTracer();
    return tracer ? traceSend(tracer, jobs, () => this.enqueue(jobs, alsoDo)) : this.enqueue(jobs, alsoDo);
  }

  private async enqueue(jobs: readonly JobSpec[], alsoDo?: AlsoDo): Promise<void> {
    const names = new Set(jobs.map((job) => job.queueName));
    for (const name of names) {
      await this.queues.announce(name);
      // each queue's scripts are loaded on the producer's connection before a transaction uses them
      await this.queues.get(name).waitUntilReady();
    }
    return new Promise<void>((resolve, reject) => {
      if (this.pending.length === 0) setImmediate(() => void this.flush());
      this.pending.push({ jobs, alsoDo, resolve, reject });
    });
  }

  /** Writes every add pending since the last turn in one transaction. */
  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    try {
      await this.write(batch);
    } catch (error) {
      for (const add of batch) add.reject(error);
    }
  }

  private async write(batch: PendingAdd[]): Promise<void> {
    if (batch.length === 0) return;
    // every queue shares the producer's connection: one transaction spans them
    const client = await this.queues.get(batch[0].jobs[0]?.queueName ?? 'default').getBackend().client;
    const multi = client.multi();
    // BullMQ's transaction is ioredis's: its length is the number of commands queued so far
    const commands = multi as unknown as ChainableCommander;
    const ranges: { add: PendingAdd; from: number; to: number }[] = [];
    const events: ReceivedEvent[] = [];
    const now = Date.now();
    for (const add of batch) {
      const from = commands.length;
      try {
        add.alsoDo?.(multi);
        await Promise.all(
          add.jobs.map((spec) =>
            new Job(this.queues.get(spec.queueName), spec.name, spec.data, spec.opts, spec.opts.jobId).addJob(
              multi,
            ),
          ),
        );
      } catch (error) {
        // a job BullMQ refuses before anything is sent: this caller fails, the others are written without it
        add.reject(error);
        return this.write(batch.filter((other) => other !== add));
      }
      ranges.push({ add, from, to: commands.length });
      if (this.config.events.enabled) events.push(...add.jobs.map((spec) => receivedEvent(spec, now)));
    }
    appendEvents(commands, this.config.prefix, this.config.events.maxLen, events);
    const results = await multi.exec();
    if (!results) throw new Error('transaction aborted');
    const eventsFailed = results.slice(ranges[ranges.length - 1].to).find(([error]) => error)?.[0];
    for (const { add, from, to } of ranges) {
      const failed = eventsFailed ?? results.slice(from, to).find(([error]) => error)?.[0];
      if (failed) add.reject(failed);
      else add.resolve();
    }
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
