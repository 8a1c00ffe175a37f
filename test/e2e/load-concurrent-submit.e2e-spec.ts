import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { TestSystem, type TaskStatusBody } from '../utils/test-system.js';

const COUNT = 300;

/**
 * 300 submissions at once through the real API, consumed by two worker processes: none may be lost, none run
 * twice, each must end SUCCESS with its own sum. Correctness only; speed is not asserted (the machine is shared).
 */
describe('300 concurrent submissions, two workers', () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await TestSystem.start();
    await Promise.all([
      system.startWorker(['--queues', 'default', '--concurrency', '10', '--name', 'load-1']),
      system.startWorker(['--queues', 'default', '--concurrency', '10', '--name', 'load-2']),
    ]);
  }, 180_000);

  afterAll(async () => {
    await system?.stop();
  });

  it('every task is accepted once and ends SUCCESS with the right sum', async () => {
    const inputs = Array.from({ length: COUNT }, (_, i) => ({ x: i, y: 1000 * i + 7 }));
    const submitted = await Promise.all(
      inputs.map(({ x, y }) => system.submit('tasks.add', { args: [x, y] })),
    );

    const refused = submitted.filter((answer) => answer.status !== 202);
    expect(refused.map((answer) => `${answer.status} ${JSON.stringify(answer.body)}`)).toEqual([]);
    const ids = submitted.map((answer) => answer.body.task_id);
    expect(new Set(ids).size).toBe(COUNT);

    // poll every task until all are final: one round of GETs at a time, a few in flight
    const final = new Map<string, TaskStatusBody>();
    const deadline = Date.now() + 150_000;
    while (final.size < COUNT && Date.now() < deadline) {
      const pending = ids.filter((id) => !final.has(id));
      for (let i = 0; i < pending.length; i += 25) {
        const answers = await Promise.all(pending.slice(i, i + 25).map((id) => system.status(id)));
        for (const answer of answers) {
          expect(answer.status).toBe(200);
          if (['SUCCESS', 'FAILURE', 'REVOKED'].includes(answer.body.state)) {
            final.set(answer.body.task_id, answer.body);
          }
        }
      }
      if (final.size < COUNT) await sleep(250);
    }
    expect(final.size).toBe(COUNT);

    ids.forEach((id, i) => {
      const status = final.get(id);
      const { x, y } = inputs[i];
      expect(status).toMatchObject({ task_id: id, state: 'SUCCESS', result: x + y, retries: 0 });
    });

    // each ran exactly once: BullMQ counts the starts of a job (`ats`) and records who ran it (`pb`)
    const redis = system.redis.client();
    try {
      const completed = await redis.zrange(`${system.prefix}:default:completed`, 0, -1);
      expect(completed).toHaveLength(COUNT);
      expect(new Set(completed)).toEqual(new Set(ids));
      expect(await redis.llen(`${system.prefix}:default:wait`)).toBe(0);
      expect(await redis.llen(`${system.prefix}:default:active`)).toBe(0);
      expect(await redis.zcard(`${system.prefix}:default:failed`)).toBe(0);

      const pipeline = redis.pipeline();
      for (const id of ids) pipeline.hmget(`${system.prefix}:default:${id}`, 'ats', 'pb');
      const runs = ((await pipeline.exec()) ?? []).map(([error, value]) => {
        expect(error).toBeNull();
        return value as [string | null, string | null];
      });
      expect(runs).toHaveLength(COUNT);
      const byWorker = new Map<string, number>();
      for (const [starts, worker] of runs) {
        expect(starts).toBe('1');
        expect(['load-1', 'load-2']).toContain(worker);
        byWorker.set(worker ?? '', (byWorker.get(worker ?? '') ?? 0) + 1);
      }
      expect([...byWorker.values()].reduce((a, b) => a + b, 0)).toBe(COUNT);
    } finally {
      redis.disconnect();
    }
  }, 240_000);
});
