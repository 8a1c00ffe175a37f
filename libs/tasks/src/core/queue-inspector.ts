import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { TasksConfig } from '../config/tasks.config.js';
import { appendEvents } from '../events/event-stream.js';
import { QUEUE_NAME_PATTERN } from '../queues.js';
import { PRODUCER_REDIS, TASKS_CONFIG } from '../tokens.js';
import { InvalidOptionError } from './errors.js';
import { ownKeys } from './keys.js';
import { QueueRegistry } from './queue-registry.js';
import { REVOKE_MARK_TTL_MS } from './revocations.js';

export const JOB_STATES = [
  'waiting',
  'prioritized',
  'delayed',
  'active',
  'completed',
  'failed',
  'waiting-children',
] as const;

export interface QueueCounts {
  name: string;
  counts: Record<(typeof JOB_STATES)[number], number>;
}

/** What a purged task leaves behind: enough to answer its status as REVOKED. */
export interface PurgedTask {
  name: string;
  queue: string;
  date_done: string;
}

/** A task waiting for its countdown/eta (SCHEDULED) or for its next retry (RETRY). */
export interface ScheduledTask {
  task_id: string;
  name: string;
  queue: string;
  state: 'SCHEDULED' | 'RETRY';
  eta: string;
  retries: number;
}

const PURGE_BATCH = 500;

/** Per-queue counts and purge (Celery's `purge`, Flower's queue page). */
@Injectable()
export class QueueInspector {
  private readonly keys: ReturnType<typeof ownKeys>;

  constructor(
    private readonly queues: QueueRegistry,
    @Inject(TASKS_CONFIG) private readonly config: TasksConfig,
    @Inject(PRODUCER_REDIS) private readonly redis: Redis,
  ) {
    this.keys = ownKeys(config.prefix);
  }

  async counts(): Promise<QueueCounts[]> {
    const names = (await this.queues.knownQueues()).sort();
    return Promise.all(
      names.map(async (name) => ({
        name,
        counts: (await this.queues.get(name).getJobCounts(...JOB_STATES)) as QueueCounts['counts'],
      })),
    );
  }

  /**
   * Removes a queue's waiting tasks (delayed ones stay, as in Celery); each purged task is marked revoked, so
   * that a copy re-delivered later never runs, and reads REVOKED until its result would have expired.
   */
  async purge(name: string): Promise<number> {
    if (!QUEUE_NAME_PATTERN.test(name)) throw new InvalidOptionError('queue', 'not a valid queue name');
    const queue = this.queues.get(name);
    let purged = 0;
    for (;;) {
      const jobs = await queue.getJobs(['waiting', 'prioritized'], 0, PURGE_BATCH - 1);
      if (jobs.length === 0) return purged;
      const now = Date.now();
      const marks = this.redis.multi();
      for (const job of jobs) {
        if (!job.id) continue;
        const record: PurgedTask = { name: job.name, queue: name, date_done: new Date(now).toISOString() };
        marks.zadd(this.keys.revoked, now + REVOKE_MARK_TTL_MS, job.id);
        marks.set(this.keys.purged(job.id), JSON.stringify(record), 'EX', this.config.resultExpires);
      }
      if (this.config.events.enabled) {
        const ids = jobs.flatMap((job) => (job.id ? [job.id] : []));
        appendEvents(
          marks,
          this.config.prefix,
          this.config.events.maxLen,
          ids.map((id) => ({ t: 'revoked' as const, id, at: now, reason: 'purged' })),
        );
      }
      await marks.exec();
      const removed = await Promise.all(
        jobs.map((job) => (job.id ? queue.remove(job.id) : Promise.resolve(0))),
      );
      const count = removed.filter((r) => r === 1).length;
      purged += count;
      if (count === 0) return purged;
    }
  }

  /** Delayed tasks of every queue, soonest first (Celery's `inspect scheduled`); at most `limit` per queue. */
  async scheduled(limit = 1000): Promise<ScheduledTask[]> {
    const names = await this.queues.knownQueues();
    const perQueue = await Promise.all(
      names.map(async (queue) =>
        (await this.queues.get(queue).getDelayed(0, limit - 1)).map((job): ScheduledTask => ({
          task_id: job.id ?? '',
          name: job.name,
          queue,
          state: job.attemptsMade > 0 ? 'RETRY' : 'SCHEDULED',
          eta: new Date(job.timestamp + job.delay).toISOString(),
          retries: job.attemptsMade,
        })),
      ),
    );
    return perQueue.flat().sort((a, b) => a.eta.localeCompare(b.eta));
  }

  async purgedTask(id: string): Promise<PurgedTask | undefined> {
    const raw = await this.redis.get(this.keys.purged(id));
    return raw ? (JSON.parse(raw) as PurgedTask) : undefined;
  }
}
