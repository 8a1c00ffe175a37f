import { describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import { BEAT, FIND_DEAD, RECLAIM } from '../../libs/tasks/src/runtime/recovery-scripts.js';
import { redisForSuite } from '../utils/redis-for-suite.js';

/** The Redis side of crash recovery, on a real Redis: who is dead, and which of their tasks go back. */
describe('crash recovery scripts', () => {
  let redis: Redis;
  const keys = { workers: 'p:_workers', owners: 'p:_lock_owners' };
  const beat = (id: string, owners: string[], offsetMs: number): Promise<unknown> =>
    BEAT.run(
      redis,
      [`p:_worker:${id}`, keys.workers, keys.owners],
      [id, '{}', 6, JSON.stringify(owners), offsetMs],
    );
  const findDead = async (deadAfterMs: number, forgetMs: number, self: string): Promise<string[]> =>
    (await FIND_DEAD.run(redis, [keys.workers, keys.owners], [deadAfterMs, forgetMs, self])) as string[];

  redisForSuite((client) => (redis = client));

  it('takes for dead those silent past the threshold, never the caller, and forgets the long gone', async () => {
    await beat('live', ['l1'], 0);
    await beat('silent', ['s1', 's2'], -20_000);
    await beat('me', ['m1'], -20_000);
    await beat('gone', ['g1'], -700_000);

    expect(await findDead(10_000, 600_000, 'me')).toEqual(['silent', JSON.stringify(['s1', 's2'])]);
    // the long gone are removed from both keys; the others stay for the next look
    expect(await redis.zrange(keys.workers, 0, -1)).toEqual(expect.arrayContaining(['live', 'silent', 'me']));
    expect(await redis.zscore(keys.workers, 'gone')).toBeNull();
    expect(await redis.hget(keys.owners, 'gone')).toBeNull();
    // a beat again makes it live
    await beat('silent', ['s1', 's2'], 0);
    expect(await findDead(10_000, 600_000, 'me')).toEqual([]);
  });

  it("hands back exactly the dead owner's active jobs: lock dropped, progress cleared, marked stalled", async () => {
    const q = 'p:q:';
    await redis.rpush(`${q}active`, 'a', 'b', 'c', 'd');
    await redis.set(`${q}a:lock`, 's1:7', 'PX', 30_000);
    await redis.set(`${q}b:lock`, 'l1:3', 'PX', 30_000);
    await redis.set(`${q}c:lock`, 's2:0', 'PX', 30_000);
    // d has no lock (already lapsed): BullMQ's own stalled check deals with it
    for (const id of ['a', 'b', 'c', 'd']) await redis.hset(`${q}${id}`, 'progress', '{"current":2}');
    await redis.set(`${q}stalled-check`, '1', 'PX', 30_000);

    const reclaimed = (await RECLAIM.run(
      redis,
      [`${q}active`, `${q}stalled`, `${q}stalled-check`],
      [q, 's1:', 's2:'],
    )) as string[];
    expect(reclaimed.sort()).toEqual(['a', 'c']);
    expect(await redis.exists(`${q}a:lock`, `${q}c:lock`)).toBe(0);
    expect(await redis.get(`${q}b:lock`)).toBe('l1:3');
    expect((await redis.smembers(`${q}stalled`)).sort()).toEqual(['a', 'c']);
    expect(await redis.hget(`${q}a`, 'progress')).toBeNull();
    expect(await redis.hget(`${q}b`, 'progress')).toBe('{"current":2}');
    // the rate limit of BullMQ's stalled check is lifted, so that it moves them now
    expect(await redis.exists(`${q}stalled-check`)).toBe(0);

    // a token that merely starts with the same characters is not the owner's
    await redis.set(`${q}b:lock`, 's10:1', 'PX', 30_000);
    expect(await RECLAIM.run(redis, [`${q}active`, `${q}stalled`, `${q}stalled-check`], [q, 's1:'])).toEqual(
      [],
    );
  });
});
