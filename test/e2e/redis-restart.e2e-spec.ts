import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AppProcess } from '../utils/app-process.js';
import { TestRedis } from '../utils/redis-server.js';
import { API_KEY, TestSystem } from '../utils/test-system.js';
import { E2E_TIMEOUT_MS, startWorker } from '../utils/runtime-helpers.js';

jest.setTimeout(E2E_TIMEOUT_MS);

const TASKS = 200;
/** Submissions run in a few lanes, paced, so that several of them fall in the outage. */
const LANES = 4;
const LANE_PAUSE_MS = 40;
/** A submission that takes longer than this has hung instead of failing fast. */
const HANG_MS = 20_000;

interface Submission {
  index: number;
  /** HTTP status, or 0 when the request hung or the connection failed. */
  status: number;
  taskId?: string;
  detail?: string;
}

describe('Redis restart under load (AOF): nothing accepted is lost', () => {
  let system: TestSystem;
  let worker: AppProcess;
  let evicting: TestRedis | undefined;

  beforeAll(async () => {
    system = await TestSystem.start({ redis: { aof: true } });
    worker = await startWorker(system, ['--concurrency', '10']);
  });

  afterAll(async () => {
    await system?.stop();
    await evicting?.destroy();
  });

  /** `POST /tasks/tasks.add` with a deadline, so that a hang shows as such instead of stalling the test. */
  async function submit(index: number): Promise<Submission> {
    try {
      const response = await system.fetch('/tasks/tasks.add', {
        method: 'POST',
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ args: [index, 1] }),
        signal: AbortSignal.timeout(HANG_MS),
      });
      const text = await response.text();
      const body = (text ? JSON.parse(text) : {}) as { task_id?: string };
      return { index, status: response.status, taskId: body.task_id, detail: text.slice(0, 200) };
    } catch (error) {
      return { index, status: 0, detail: error instanceof Error ? error.message : String(error) };
    }
  }

  it('accepted tasks all succeed across a restart; submissions during the outage answer 503', async () => {
    const submissions: Submission[] = [];
    let next = 0;
    let restart: Promise<void> | undefined;
    const lane = async (): Promise<void> => {
      while (next < TASKS) {
        const index = next++;
        if (index === TASKS / 2) restart = system.redis.restart(500);
        submissions.push(await submit(index));
        await sleep(LANE_PAUSE_MS);
      }
    };
    await Promise.all(Array.from({ length: LANES }, lane));
    await restart;

    const accepted = submissions.filter((s) => s.status === 202);
    const unavailable = submissions.filter((s) => s.status === 503);
    const other = submissions.filter((s) => s.status !== 202 && s.status !== 503);
    // no 500, no hang: every submission was either taken or refused at once as "try again"
    expect(other).toEqual([]);
    expect(accepted.length + unavailable.length).toBe(TASKS);
    expect(accepted.length).toBeGreaterThanOrEqual(TASKS / 2);
    expect(unavailable.length).toBeGreaterThanOrEqual(1);
    process.stdout.write(`redis restart: ${accepted.length} accepted, ${unavailable.length} answered 503\n`);

    // every accepted task ends SUCCESS with its own result, none lost in the restart
    const deadline = Date.now() + 120_000;
    for (const { index, taskId } of accepted) {
      const done = await system.waitForState(
        taskId ?? '',
        ['SUCCESS', 'FAILURE', 'REVOKED'],
        deadline - Date.now(),
      );
      expect(done).toMatchObject({ task_id: taskId, state: 'SUCCESS', result: index + 1 });
    }

    // and the system takes work again
    const after = await submit(1000);
    expect(after.status).toBe(202);
    expect((await system.waitForState(after.taskId ?? '', 'SUCCESS', 30_000)).result).toBe(1001);
    expect(worker.running).toBe(true);
    expect(worker.text).not.toMatch(/maxmemory-policy/);
  });

  it('an outage longer than WORKER_DEAD_AFTER is no death: no running task is handed to another worker', async () => {
    const queue = ['--queues', 'outage', '--concurrency', '2'];
    const env = { WORKER_DEAD_AFTER: '2' };
    const a = await startWorker(system, queue, env);
    const id = (await system.submit('tasks.long_running_task', { args: [15], queue: 'outage' })).body.task_id;
    await system.waitForState(id, 'PROGRESS', 60_000);
    const b = await startWorker(system, queue, env);

    // every heartbeat in Redis is older than the threshold when it comes back
    await system.redis.restart(4_000);
    const done = await system.waitForState(id, ['SUCCESS', 'FAILURE', 'REVOKED'], 90_000);
    expect(done).toMatchObject({ state: 'SUCCESS', result: { status: 'completed', result: 15 } });
    expect(done).not.toHaveProperty('redeliveries');
    expect(a.text + b.text).not.toMatch(/handed back/);
    await Promise.all([a.stop(), b.stop()]);
  });

  it('a worker warns when Redis may evict keys (maxmemory-policy other than noeviction)', async () => {
    evicting = await TestRedis.start({ extraArgs: ['--maxmemory-policy', 'allkeys-lru'] });
    const warned = await startWorker(system, [], { REDIS_URL: evicting.url });
    expect(warned.text).toMatch(/maxmemory-policy is "allkeys-lru".*noeviction/);
    await warned.stop();
  });
});
