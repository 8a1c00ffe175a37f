import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { redisUsage, type RedisUsage } from './redis-meter.js';

/** The times BullMQ records on a job hash (epoch ms): added, taken by a worker, finished. */
export interface JobTimes {
  timestamp: number;
  processedOn: number;
  finishedOn: number;
}

/**
 * Looks at one queue from outside, the same way for both systems: pauses and resumes it, counts finished
 * jobs and reads the times BullMQ keeps in the job hashes. Never part of what is measured.
 */
export class QueueProbe {
  private readonly redis: Redis;
  private readonly queue: Queue;
  private readonly key: (suffix: string) => string;

  constructor(redisUrl: string, prefix: string, queueName: string) {
    this.redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
    this.queue = new Queue(queueName, { connection: this.redis, prefix });
    this.key = (suffix) => `${prefix}:${queueName}:${suffix}`;
  }

  pause(): Promise<void> {
    return this.queue.pause();
  }

  resume(): Promise<void> {
    return this.queue.resume();
  }

  /** The server's command and CPU counters, for the Redis cost of a measurement. */
  usage(): Promise<RedisUsage> {
    return redisUsage(this.redis);
  }

  /** Jobs completed so far. */
  completedCount(): Promise<number> {
    return this.redis.zcard(this.key('completed'));
  }

  /**
   * Waits until `count` jobs have completed; fails at once if any job failed (a broken benchmark) and after
   * `timeoutMs` otherwise. Returns the finish time of the last job (the completed set's highest score).
   */
  async waitForCompleted(count: number, timeoutMs: number, pollMs = 20): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const [completed, failed] = await Promise.all([
        this.redis.zcard(this.key('completed')),
        this.redis.zcard(this.key('failed')),
      ]);
      if (failed > 0) {
        const [id] = await this.redis.zrange(this.key('failed'), 0, 0);
        const reason = await this.redis.hget(this.key(id), 'failedReason');
        throw new Error(`${failed} job(s) failed, e.g. ${id}: ${reason}`);
      }
      if (completed >= count) break;
      if (Date.now() > deadline)
        throw new Error(`only ${completed} of ${count} jobs done after ${timeoutMs} ms`);
      await sleep(pollMs);
    }
    const last = await this.redis.zrange(this.key('completed'), -1, -1, 'WITHSCORES');
    return Number(last[1]);
  }

  /** The recorded times of the given jobs, read in pipelined batches. */
  async jobTimes(ids: readonly string[], batch = 1_000): Promise<JobTimes[]> {
    const times: JobTimes[] = [];
    for (let i = 0; i < ids.length; i += batch) {
      const pipeline = this.redis.pipeline();
      for (const id of ids.slice(i, i + batch)) {
        pipeline.hmget(this.key(id), 'timestamp', 'processedOn', 'finishedOn');
      }
      for (const [error, value] of (await pipeline.exec()) ?? []) {
        if (error) throw error;
        const [timestamp, processedOn, finishedOn] = (value as (string | null)[]).map(Number);
        times.push({ timestamp, processedOn, finishedOn });
      }
    }
    return times;
  }

  async close(): Promise<void> {
    await this.queue.close();
    await this.redis.quit();
  }
}
