import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Redis } from 'ioredis';
import { AppProcess } from '../utils/app-process.js';
import { TestSystem } from '../utils/test-system.js';
import { E2E_TIMEOUT_MS, STARTUP_TIMEOUT_MS, waitForWorker } from '../utils/runtime-helpers.js';

jest.setTimeout(E2E_TIMEOUT_MS);

describe('worker start-up: consuming and listed at once, executor threads ready later', () => {
  let system: TestSystem;
  let redis: Redis;

  beforeAll(async () => {
    system = await TestSystem.start();
    redis = new Redis(system.redis.url);
  });

  afterAll(async () => {
    redis?.disconnect();
    await system?.stop();
  });

  it('publishes its heartbeat as it starts consuming, and a task needing a thread waits for one', async () => {
    const worker = new AppProcess('worker', ['worker', '--queues', 'boot', '--pool-size', '2'], system.env());
    system.workers.push(worker);
    await worker.waitForOutput(/consuming \[/, STARTUP_TIMEOUT_MS);
    // the heartbeat goes out with the first moment of consuming, not after the threads have booted
    const beat = await redis.get(`${system.prefix}:_worker:${(await waitForWorker(system, worker.pid)).id}`);
    expect(beat).not.toBeNull();

    // submitted at once: whether or not a thread is ready yet, it runs on one and succeeds
    const burn = await system.submit('tasks.cpu_burn', { args: [0.2], queue: 'boot' });
    const added = await system.submit('tasks.add', { args: [1, 2], queue: 'boot' });
    expect(await system.waitForState(burn.body.task_id, ['SUCCESS', 'FAILURE'], 60_000)).toMatchObject({
      state: 'SUCCESS',
      result: { burned: 0.2 },
    });
    expect(await system.waitForState(added.body.task_id, ['SUCCESS', 'FAILURE'], 60_000)).toMatchObject({
      state: 'SUCCESS',
      result: 3,
    });
    const info = await waitForWorker(system, worker.pid, (w) => w.pool.threads.length === 2);
    expect(info.pool).toMatchObject({ kind: 'threads', size: 2, replaced: 0 });
  });
});
