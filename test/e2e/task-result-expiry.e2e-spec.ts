import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { TestSystem } from '../utils/test-system.js';

jest.setTimeout(180_000);

const EXPIRES_S = 2;

/**
 * Results expire after RESULT_EXPIRES: gone from the live store at once, and removed from Redis by the worker's
 * sweeper; from then on `GET /tasks/{task_id}` answers from the task history (test/e2e/history-*.e2e-spec.ts),
 * and with the history off it is a 404.
 */
describe('RESULT_EXPIRES', () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await TestSystem.start({ env: { RESULT_EXPIRES: String(EXPIRES_S), HISTORY_ENABLED: 'false' } });
    await system.startWorker(['--queues', 'default']);
  });

  afterAll(async () => {
    await system?.stop();
  });

  async function jobKeyExists(id: string): Promise<boolean> {
    const redis = system.redis.client();
    try {
      return (await redis.exists(`${system.prefix}:default:${id}`)) === 1;
    } finally {
      redis.disconnect();
    }
  }

  it('answers a finished task until it expires, then 404, and its job is removed from Redis', async () => {
    const ok = await system.submit('tasks.add', { args: [2, 3] });
    // a revoked task is failed by the worker when its countdown is over: a finished failure to expire too
    const revoked = await system.submit('tasks.add', { args: [1, 1], countdown: 1 });
    expect((await system.request('POST', `/tasks/${revoked.body.task_id}/revoke`, {})).status).toBe(200);
    const ids = [ok.body.task_id, revoked.body.task_id];
    for (const id of ids) {
      const deadline = Date.now() + 30_000;
      while (!(await system.status(id)).body.date_done && Date.now() < deadline) await sleep(100);
    }
    expect((await system.status(ids[0])).body).toMatchObject({ state: 'SUCCESS', result: 5 });
    expect((await system.status(ids[1])).body).toMatchObject({ state: 'REVOKED' });
    expect(await Promise.all(ids.map((id) => jobKeyExists(id)))).toEqual([true, true]);

    await sleep(EXPIRES_S * 1000 + 200);
    for (const id of ids) expect((await system.status(id)).status).toBe(404);

    // the sweeper runs every tenth of RESULT_EXPIRES (at least 1 s): give it a few rounds
    const deadline = Date.now() + 15_000;
    let left = ids;
    while (left.length > 0 && Date.now() < deadline) {
      const exists = await Promise.all(left.map((id) => jobKeyExists(id)));
      left = left.filter((_, i) => exists[i]);
      if (left.length > 0) await sleep(250);
    }
    expect(left).toEqual([]);
  });
});
