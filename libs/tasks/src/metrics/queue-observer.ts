import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { TasksConfig } from '../config/tasks.config.js';
import { ownKeys } from '../core/keys.js';
import { JOB_STATES, type QueueCounts } from '../core/queue-inspector.js';
import { QueueRegistry } from '../core/queue-registry.js';
import type { WorkerInfo } from '../core/worker-info.js';
import { PRODUCER_REDIS, TASKS_CONFIG } from '../tokens.js';

export interface QueueObservation extends QueueCounts {
  /** Seconds the task next in line (waiting or prioritized) has been ready to run; 0 when none waits. */
  oldestWaitingAge: number;
}

/** What the queues and the live workers look like now: for `/metrics` and the alert monitor. */
export interface SystemObservation {
  at: number;
  queues: QueueObservation[];
  workers: WorkerInfo[];
}

/** BullMQ's key and command per state, as `Queue.getJobCounts` reads them. */
const STATE_KEYS: Record<(typeof JOB_STATES)[number], { key: string; list: boolean }> = {
  waiting: { key: 'wait', list: true },
  prioritized: { key: 'prioritized', list: false },
  delayed: { key: 'delayed', list: false },
  active: { key: 'active', list: true },
  completed: { key: 'completed', list: false },
  failed: { key: 'failed', list: false },
  'waiting-children': { key: 'waiting-children', list: false },
};

type Answers = [Error | null, unknown][];

/**
 * Reads every queue's counts, the task next in line of each, and the live workers' heartbeats in two round
 * trips whatever the number of queues: one pipeline of counts, heads and worker ids, one of the heads' times
 * and the heartbeats. FIFO queues serve their oldest task first, so its age is the oldest wait; with
 * priorities it is the age of the task served next.
 */
@Injectable()
export class QueueObserver {
  private readonly keys: ReturnType<typeof ownKeys>;

  constructor(
    @Inject(TASKS_CONFIG) private readonly config: TasksConfig,
    @Inject(PRODUCER_REDIS) private readonly redis: Redis,
    private readonly registry: QueueRegistry,
  ) {
    this.keys = ownKeys(config.prefix);
  }

  async observe(): Promise<SystemObservation> {
    const names = (await this.registry.knownQueues()).slice().sort();
    const key = (queue: string, part: string): string => `${this.config.prefix}:${queue}:${part}`;
    const first = this.redis.pipeline();
    for (const name of names) {
      for (const state of JOB_STATES) {
        const { key: part, list } = STATE_KEYS[state];
        if (list) first.llen(key(name, part));
        else first.zcard(key(name, part));
      }
      first.lindex(key(name, 'wait'), -1);
      first.zrange(key(name, 'prioritized'), 0, 0);
    }
    first.zrange(this.keys.workers, 0, -1);
    const answers = ((await first.exec()) ?? []) as Answers;
    const value = (i: number): unknown => {
      const [error, result] = answers[i] ?? [null, null];
      if (error) throw error;
      return result;
    };

    const perQueue = JOB_STATES.length + 2;
    const heads: { queue: number; id: string }[] = [];
    const queues = names.map((name, q): QueueObservation => {
      const base = q * perQueue;
      const counts = Object.fromEntries(
        JOB_STATES.map((state, s) => [state, Number(value(base + s))]),
      ) as QueueCounts['counts'];
      const next = value(base + JOB_STATES.length);
      const prioritized = value(base + JOB_STATES.length + 1) as string[];
      if (typeof next === 'string') heads.push({ queue: q, id: next });
      if (prioritized[0] !== undefined) heads.push({ queue: q, id: prioritized[0] });
      return { name, counts, oldestWaitingAge: 0 };
    });
    const workerIds = value(names.length * perQueue) as string[];

    const second = this.redis.pipeline();
    for (const head of heads) second.hmget(key(names[head.queue], head.id), 'timestamp', 'delay');
    if (workerIds.length > 0) second.mget(workerIds.map((id) => this.keys.worker(id)));
    const more = heads.length + workerIds.length > 0 ? (((await second.exec()) ?? []) as Answers) : [];
    const at = Date.now();
    heads.forEach((head, i) => {
      const [timestamp, delay] = (more[i]?.[1] ?? []) as (string | null)[];
      if (timestamp === null || timestamp === undefined) return;
      const ready = Number(timestamp) + Number(delay ?? 0);
      const queue = queues[head.queue];
      queue.oldestWaitingAge = Math.max(queue.oldestWaitingAge, Math.max(0, at - ready) / 1000);
    });
    const beats = (workerIds.length > 0 ? (more[heads.length]?.[1] ?? []) : []) as (string | null)[];
    const workers = beats
      .filter((json): json is string => typeof json === 'string' && json !== '')
      .map((json) => JSON.parse(json) as WorkerInfo)
      .sort((a, b) => a.id.localeCompare(b.id));
    return { at, queues, workers };
  }
}
