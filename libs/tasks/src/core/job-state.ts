import type { JobState, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { LuaScript } from '../redis/lua-script.js';

/**
 * BullMQ's `getStateV2` without its scans of the `wait` and `paused` lists: a job found in no other set or
 * list, whose hash exists, is waiting. BullMQ's script answers a waiting task with `LPOS` over the whole wait
 * list, about 5 ms of Redis (which serves nothing else meanwhile) at 100,000 waiting tasks; this one costs a
 * few `ZSCORE`s and an `LPOS` over `active` (as long as the running tasks). The one difference, an orphaned
 * hash in no list reading `waiting` instead of `unknown`, does not change a status answer: both are PENDING.
 * So it serves the status reads (`GET /tasks/{id}`, the history's reconciler, which reads every quiet
 * unfinished row: 200 full scans a round blocked Redis for about a second under a backlog); the beat and a
 * revoke, which must tell an orphan from a waiting task, keep BullMQ's.
 */
const STATE = new LuaScript(`
local id = ARGV[1]
if redis.call('ZSCORE', KEYS[1], id) then return 'completed' end
if redis.call('ZSCORE', KEYS[2], id) then return 'failed' end
if redis.call('ZSCORE', KEYS[3], id) then return 'delayed' end
if redis.call('ZSCORE', KEYS[4], id) then return 'prioritized' end
if redis.call('LPOS', KEYS[5], id) then return 'active' end
if redis.call('ZSCORE', KEYS[6], id) then return 'waiting-children' end
if redis.call('EXISTS', KEYS[7]) == 1 then return 'waiting' end
return 'unknown'
`);

const SETS = ['completed', 'failed', 'delayed', 'prioritized', 'active', 'waiting-children'] as const;

/** The BullMQ state of job `id` of `queue`, read in one script whatever the length of the queue. */
export async function jobState(queue: Queue, id: string): Promise<JobState | 'unknown'> {
  // BullMQ 6 types its connection as its own interface; it is the ioredis client the queue was given
  const redis = (await queue.getBackend().client) as unknown as Redis;
  const keys = [...SETS.map((set) => queue.toKey(set)), queue.toKey(id)];
  return (await STATE.run(redis, keys, [id])) as JobState | 'unknown';
}
