import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { AppProcess } from '../utils/app-process.js';
import { TestSystem } from '../utils/test-system.js';
import { REGISTERED_TASKS, E2E_TIMEOUT_MS, startWorker, waitForWorker } from '../utils/runtime-helpers.js';

jest.setTimeout(E2E_TIMEOUT_MS);

const FINAL = ['SUCCESS', 'FAILURE', 'REVOKED'];
const TASKS = 60;

describe('executor pools: thread recycling and the inline pool', () => {
  let system: TestSystem;
  /** Consumes `recycle`: two threads, each replaced after 5 tasks. */
  let recycling: AppProcess;
  /** Consumes `inline`: task code on the consumer's own event loop. */
  let inline: AppProcess;

  beforeAll(async () => {
    system = await TestSystem.start();
    [recycling, inline] = await Promise.all([
      startWorker(system, ['--queues', 'recycle', '--max-tasks-per-child', '5', '--pool-size', '2']),
      startWorker(system, ['--queues', 'inline', '--pool', 'inline']),
    ]);
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('runs 60 tasks exactly once each while threads are recycled every 5 tasks', async () => {
    // cpu_burn is declared to run in a thread (add would run on the consumer's loop and recycle nothing)
    const submitted = await Promise.all(
      Array.from({ length: TASKS }, (_, i) =>
        system.submit('tasks.cpu_burn', { args: [i / 1000], queue: 'recycle' }),
      ),
    );
    expect(submitted.map((s) => s.status)).toEqual(Array<number>(TASKS).fill(202));
    const ids = submitted.map((s) => s.body.task_id);
    expect(new Set(ids).size).toBe(TASKS);

    for (const [i, id] of ids.entries()) {
      const done = await system.waitForState(id, FINAL, 60_000);
      expect(done).toMatchObject({ task_id: id, state: 'SUCCESS', result: { burned: i / 1000 }, retries: 0 });
    }

    // exactly once: BullMQ handed each job out once, and the worker finished 60 jobs, no more
    const redis = system.redis.client();
    try {
      const started = await Promise.all(ids.map((id) => redis.hget(`${system.prefix}:recycle:${id}`, 'ats')));
      expect(started).toEqual(Array<string>(TASKS).fill('1'));
    } finally {
      redis.disconnect();
    }
    const info = await waitForWorker(system, recycling.pid, (w) => w.processed >= TASKS);
    expect(info).toMatchObject({ processed: TASKS, failed: 0 });
    // 60 tasks / 5 per thread: about 12 replacements, all graceful (no thread crashed, no task re-run)
    expect(info.pool.replaced).toBeGreaterThanOrEqual(10);
    expect(recycling.text).not.toMatch(/exited unexpectedly/);
  });

  it('runs a task declared isolation none on the consumer loop: no thread takes it, none is recycled', async () => {
    const before = await waitForWorker(system, recycling.pid, (w) => w.processed >= TASKS);
    const adds = await Promise.all(
      Array.from({ length: 12 }, (_, i) => system.submit('tasks.add', { args: [i, 1], queue: 'recycle' })),
    );
    for (const [i, add] of adds.entries()) {
      expect(await system.waitForState(add.body.task_id, FINAL, 60_000)).toMatchObject({
        state: 'SUCCESS',
        result: i + 1,
      });
    }
    const after = await waitForWorker(system, recycling.pid, (w) => w.processed >= TASKS + 12);
    // 12 tasks in threads recycled every 5 would have replaced at least two threads
    expect(after.pool.replaced).toBe(before.pool.replaced);
  });

  it('runs tasks with --pool inline', async () => {
    const add = await system.submit('tasks.add', { args: [40, 2], queue: 'inline' });
    const xsum = await system.submit('tasks.xsum', { args: [[1, 2, 3, 4]], queue: 'inline' });
    const long = await system.submit('tasks.long_running_task', { args: [2], queue: 'inline' });
    expect([add.status, xsum.status, long.status]).toEqual([202, 202, 202]);
    expect(await system.waitForState(add.body.task_id, FINAL, 30_000)).toMatchObject({
      state: 'SUCCESS',
      result: 42,
    });
    expect(await system.waitForState(xsum.body.task_id, FINAL, 30_000)).toMatchObject({
      state: 'SUCCESS',
      result: 10,
    });
    expect(await system.waitForState(long.body.task_id, FINAL, 30_000)).toMatchObject({
      state: 'SUCCESS',
      result: { status: 'completed', result: 2 },
    });

    const info = await waitForWorker(system, inline.pid, (w) => w.processed >= 3);
    expect(info.pool).toMatchObject({ kind: 'inline', replaced: 0 });
    expect([...info.registered].sort()).toEqual(REGISTERED_TASKS);
  });
});
