import { describe, expect, it } from '@jest/globals';
import { appendEvents, readEvents, STREAM_START, type TaskEvent } from '@app/tasks';
import type { Redis } from 'ioredis';
import { redisForSuite } from '../utils/redis-for-suite.js';
import type { TestRedis } from '../utils/redis-server.js';

const prefix = 'read-test';

/** `n` started events of tasks `from`, `from + 1`, … as one stream entry (a worker's flush). */
function entry(from: number, n: number): TaskEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    t: 'started',
    id: `task-${from + i}`,
    at: 1,
    worker: 'w1',
    attempt: 1,
  }));
}

/** Counts the entries Redis sends back to XRANGE on this connection. */
function countFetched(redis: Redis): { entries: number } {
  const fetched = { entries: 0 };
  const xrange = redis.xrange.bind(redis) as (...args: unknown[]) => Promise<[string, string[]][]>;
  (redis as unknown as { xrange: (...args: unknown[]) => Promise<unknown> }).xrange = async (
    ...args: unknown[]
  ) => {
    const entries = await xrange(...args);
    fetched.entries += entries.length;
    return entries;
  };
  return fetched;
}

describe('readEvents (real Redis)', () => {
  let server: TestRedis;
  let redis: Redis;
  redisForSuite((client, started) => {
    redis = client;
    server = started;
  });

  async function write(sizes: number[]): Promise<void> {
    let next = 0;
    for (const size of sizes) {
      const pipeline = redis.pipeline();
      appendEvents(pipeline, prefix, 100_000, entry(next, size));
      await pipeline.exec();
      next += size;
    }
  }

  it('takes whole entries up to the one that reaches maxEvents, and fetches only what it takes (and one more)', async () => {
    // 100 entries of 500 events: a burst's backlog of worker flushes
    await write(Array.from({ length: 100 }, () => 500));
    const reader = server.client();
    try {
      const fetched = countFetched(reader);
      const batch = await readEvents(reader, prefix, STREAM_START, 2_000, 1_200);
      expect(batch.events.map((e) => e.id)).toEqual(Array.from({ length: 1_500 }, (_, i) => `task-${i}`));
      expect(batch.more).toBe(true);
      // three entries taken; a read of 2,000 entries would have fetched all 100
      expect(fetched.entries).toBeLessThanOrEqual(4);
      // every event knows its entry and its place in it
      expect(batch.events[500]).toMatchObject({ i: 0, sid: expect.any(String) });
      expect(batch.events[499]?.sid).not.toBe(batch.events[500]?.sid);

      const after = await readEvents(reader, prefix, batch.last ?? STREAM_START, 2_000, 1_200);
      expect(after.events[0]?.id).toBe('task-1500');
    } finally {
      reader.disconnect();
    }
  });

  it('reads small entries in few round trips, up to `count` entries, and says when the stream is read to its end', async () => {
    // 300 entries of one event (one submission each), then 2 of 50
    await write([...Array.from({ length: 300 }, () => 1), 50, 50]);
    const limited = await readEvents(redis, prefix, STREAM_START, 120, 10_000);
    expect(limited.events).toHaveLength(120);
    expect(limited.more).toBe(true);

    const rest = await readEvents(redis, prefix, limited.last ?? STREAM_START, 2_000, 10_000);
    expect(rest.events.map((e) => e.id)).toEqual(Array.from({ length: 280 }, (_, i) => `task-${120 + i}`));
    expect(rest.more).toBe(false);

    const none = await readEvents(redis, prefix, rest.last ?? STREAM_START, 2_000, 10_000);
    expect(none).toEqual({ events: [], last: undefined, more: false });
  });

  it('always takes at least one entry, however large', async () => {
    await write([800, 10]);
    const batch = await readEvents(redis, prefix, STREAM_START, 2_000, 100);
    expect(batch.events).toHaveLength(800);
    expect(batch.more).toBe(true);
  });
});
