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

    // each ran exactly once: BullMQ counts the starts of a job (`ats`)
    const redis = system.redis.client();
    try {
      const completed = await redis.zrange(`${system.prefix}:default:completed`, 0, -1);
      expect(completed).toHaveLength(COUNT);
      expect(new Set(completed)).toEqual(new Set(ids));
      expect(await redis.llen(`${system.prefix}:default:wait`)).toBe(0);
      expect(await redis.llen(`${system.prefix}:default:active`)).toBe(0);
      expect(await redis.zcard(`${system.prefix}:default:failed`)).toBe(0);

      const pipeline = redis.pipeline();
      for (const id of ids) pipeline.hget(`${system.prefix}:default:${id}`, 'ats');
      const starts = ((await pipeline.exec()) ?? []).map(([error, value]) => {
        expect(error).toBeNull();
        return value;
      });
      expect(starts).toEqual(ids.map(() => '1'));
    } finally {
      redis.disconnect();
    }

    // both workers took part, and between them ran every task once: their heartbeats count what they ran
    // (`GET /workers`; a heartbeat is at most HEARTBEAT_INTERVAL_S old)
    let processed = new Map<string, number>();
    const heartbeatDeadline = Date.now() + 15_000;
    while (Date.now() < heartbeatDeadline) {
      const answer = await system.request<{ id: string; processed: number }[]>('GET', '/workers');
      expect(answer.status).toBe(200);
      processed = new Map(answer.body.map((w) => [w.id, w.processed]));
      if ((processed.get('load-1') ?? 0) + (processed.get('load-2') ?? 0) >= COUNT) break;
      await sleep(250);
    }
    expect(processed.get('load-1')).toBeGreaterThan(0);
    expect(processed.get('load-2')).toBeGreaterThan(0);
    expect((processed.get('load-1') ?? 0) + (processed.get('load-2') ?? 0)).toBe(COUNT);
  }, 240_000);
});
