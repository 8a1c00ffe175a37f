import { afterEach, describe, expect, it } from '@jest/globals';
import { Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { jobState } from '@app/tasks';
import { redisForSuite } from '../utils/redis-for-suite.js';
import type { TestRedis } from '../utils/redis-server.js';

/** How many LPOS commands Redis has run so far (those inside scripts included). */
async function lposCalls(redis: Redis): Promise<number> {
  const stats = await redis.info('commandstats');
  return Number(/^cmdstat_lpos:calls=(\d+)/m.exec(stats)?.[1] ?? 0);
}

describe('jobState (real Redis)', () => {
  let server: TestRedis;
  let redis: Redis;
  redisForSuite((client, started) => {
    redis = client;
    server = started;
  });

  const clients: Redis[] = [];
  /** A connection of this test's, closed after it (BullMQ leaves a connection it was given open). */
  function connection(): Redis {
    const client = server.client();
    clients.push(client);
    return client;
  }
  afterEach(() => {
    for (const client of clients.splice(0)) client.disconnect();
  });

  function queue(name: string): Queue {
    return new Queue(name, { connection: connection(), prefix: 'state-test' });
  }

  it("answers as BullMQ's getState for a job in every state", async () => {
    const q = queue('states');
    // jobs moved by hand (BullMQ's manual processing), so that each stays in its state while it is read
    const worker = new Worker('states', null, { connection: connection(), prefix: 'state-test' });
    try {
      const take = async (): Promise<Job> => {
        const job = (await worker.getNextJob('token')) as Job | undefined;
        if (!job) throw new Error('no job to take');
        return job;
      };
      await q.add('ok', {});
      const done = await take();
      await done.moveToCompleted(1, 'token', false);
      await q.add('fail', {});
      const failed = await take();
      await failed.moveToFailed(new Error('boom'), 'token', false);
      await q.add('hold', {});
      const held = await take();
      const waiting = await q.add('wait', {});
      const delayed = await q.add('later', {}, { delay: 60_000 });
      const prioritized = await q.add('urgent', {}, { priority: 5 });
      const jobs = { done, failed, held, waiting, delayed, prioritized };
      const states: Record<string, unknown> = {};
      for (const [key, job] of Object.entries(jobs)) {
        states[key] = [await jobState(q, job.id ?? ''), await job.getState()];
      }
      expect(states).toEqual({
        done: ['completed', 'completed'],
        failed: ['failed', 'failed'],
        held: ['active', 'active'],
        waiting: ['waiting', 'waiting'],
        delayed: ['delayed', 'delayed'],
        prioritized: ['prioritized', 'prioritized'],
      });
      expect(await jobState(q, 'no-such-job')).toBe('unknown');
    } finally {
      await worker.close(true);
      await q.close();
    }
  });

  it('reads a waiting job without scanning the wait list (LPOS over `active` only)', async () => {
    const q = queue('deep');
    try {
      await q.addBulk(Array.from({ length: 2_000 }, (_, i) => ({ name: 'add', data: { i } })));
      const [oldest] = await q.getWaiting(1_999, 1_999);
      const before = await lposCalls(redis);
      expect(await jobState(q, oldest.id ?? '')).toBe('waiting');
      // BullMQ's getState: LPOS over active, then over the whole wait list to find the oldest job
      expect((await lposCalls(redis)) - before).toBe(1);
      expect(await oldest.getState()).toBe('waiting');
      expect((await lposCalls(redis)) - before).toBe(3);
    } finally {
      await q.close();
    }
  });
});
