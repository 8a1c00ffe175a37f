import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Redis } from 'ioredis';
import { TestSystem } from '../utils/test-system.js';
import { E2E_TIMEOUT_MS, startWorker, waitFor, waitForWorker } from '../utils/runtime-helpers.js';

jest.setTimeout(E2E_TIMEOUT_MS);

/**
 * With the default settings (no short locks): a dead worker's tasks must run again within seconds. The old
 * mechanism (BullMQ's lock lapse, then two stalled-check rounds) took 60–100 s; these bounds sit well below it
 * and well above the ~10 s that heartbeat-based recovery needs, so they tell the mechanisms apart, not speeds.
 */
const RECOVERED_WITHIN_MS = 30_000;

describe('worker crashes and shutdowns lose no task (at-least-once), and recovery takes seconds', () => {
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

  /** The BullMQ events recorded for one task in its queue's event stream. */
  async function eventsOf(queue: string, id: string): Promise<string[]> {
    const entries = await redis.xrange(`${system.prefix}:${queue}:events`, '-', '+');
    return entries
      .map(([, fields]) => Object.fromEntries(fields.flatMap((v, i, a) => (i % 2 ? [] : [[v, a[i + 1]]]))))
      .filter((event: Record<string, string>) => event.jobId === id)
      .map((event: Record<string, string>) => event.event ?? '');
  }

  it('re-runs the tasks of a worker killed with SIGKILL on a replacement started at once, within seconds', async () => {
    // each test uses its own queue, so that its workers never take another test's tasks
    const queue = ['--queues', 'crash', '--concurrency', '4'];
    const a = await startWorker(system, queue);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const submitted = await system.submit('tasks.long_running_task', { args: [4], queue: 'crash' });
      expect(submitted.status).toBe(202);
      ids.push(submitted.body.task_id);
    }
    for (const id of ids) await system.waitForState(id, ['STARTED', 'PROGRESS'], 60_000);

    expect(await a.stop('SIGKILL')).toBeNull();
    const killedAt = Date.now();
    await startWorker(system, queue);
    for (const id of ids) {
      const done = await system.waitForState(id, ['SUCCESS', 'FAILURE', 'REVOKED'], RECOVERED_WITHIN_MS);
      expect(done).toMatchObject({
        state: 'SUCCESS',
        result: { status: 'completed', result: 4 },
        redeliveries: 1,
      });
    }
    // recovered and then ran the whole task again (4 s)
    expect(Date.now() - killedAt).toBeLessThan(RECOVERED_WITHIN_MS);
  });

  it('an orphaned task reads PENDING with its re-delivery counted once handed back, not the dead worker\u2019s progress', async () => {
    // a second worker (b) is kept busy, so that the task it takes back from a waits in the queue where it can be read
    await startWorker(system, ['--queues', 'orphan', '--concurrency', '1']);
    const blocker = (await system.submit('tasks.long_running_task', { args: [120], queue: 'orphan' })).body
      .task_id;
    await system.waitForState(blocker, ['STARTED', 'PROGRESS'], 60_000);
    const a = await startWorker(system, ['--queues', 'orphan', '--concurrency', '1']);
    const id = (await system.submit('tasks.long_running_task', { args: [3], queue: 'orphan' })).body.task_id;
    const running = await system.waitForState(id, 'PROGRESS', 60_000);
    expect(running.current).toBeGreaterThanOrEqual(1);

    expect(await a.stop('SIGKILL')).toBeNull();
    const orphan = await system.waitForState(id, 'PENDING', RECOVERED_WITHIN_MS);
    expect(orphan).toMatchObject({ state: 'PENDING', redeliveries: 1, retries: 0 });
    expect(orphan).not.toHaveProperty('percent');
    // whichever live worker found a silent first says so; its line may follow the state by a moment
    const handedBack = /is silent for over 10 s: 1 task\(s\) of queue orphan handed back/;
    await waitFor(
      'the hand-back line',
      () => Promise.resolve(system.workers.some((w) => handedBack.test(w.text))),
      5_000,
    );

    // freeing b lets it run the orphan to the end, once
    expect((await system.request('POST', `/tasks/${blocker}/revoke`, { terminate: true })).status).toBe(200);
    const done = await system.waitForState(id, ['SUCCESS', 'FAILURE', 'REVOKED'], 60_000);
    expect(done).toMatchObject({
      state: 'SUCCESS',
      result: { status: 'completed', result: 3 },
      redeliveries: 1,
    });
  });

  it('a worker only paused (SIGSTOP) past WORKER_DEAD_AFTER loses its task to another; its late outcome is discarded', async () => {
    const env = { WORKER_DEAD_AFTER: '3' };
    const queue = ['--queues', 'paused', '--concurrency', '2'];
    const a = await startWorker(system, queue, env);
    // long enough that a does not finish it while b starts on a busy machine
    const id = (await system.submit('tasks.long_running_task', { args: [20], queue: 'paused' })).body.task_id;
    await system.waitForState(id, 'PROGRESS', 60_000);
    const b = await startWorker(system, queue, env);
    const bInfo = await waitForWorker(system, b.pid);

    a.signal('SIGSTOP');
    try {
      // b takes the task over and runs it again from the start
      await waitFor(
        'b to run the task',
        async () => (await waitForWorker(system, b.pid)).active.some((t) => t.task_id === id),
        RECOVERED_WITHIN_MS,
        200,
      );
    } finally {
      // a resumes while b still runs the task: both now run it, only one outcome may be recorded
      a.signal('SIGCONT');
    }
    const done = await system.waitForState(id, ['SUCCESS', 'FAILURE', 'REVOKED'], 60_000);
    expect(done).toMatchObject({
      state: 'SUCCESS',
      result: { status: 'completed', result: 20 },
      redeliveries: 1,
    });

    // a finds its lock gone: its run is stopped and nothing it ends with is recorded
    await a.waitForOutput(/could not renew lock|Missing lock|lock mismatch/, 60_000);
    const aInfo = await waitForWorker(system, a.pid, (info) => info.active.length === 0);
    const bAfter = await waitForWorker(system, b.pid, (info) => info.processed > bInfo.processed);
    // `processed` counts outcomes recorded, where the success and failure hooks fire: once, on b only
    expect({ a: aInfo.processed, b: bAfter.processed - bInfo.processed }).toEqual({ a: 0, b: 1 });
    expect((await system.status(id)).body).toEqual(done);
    const events = await eventsOf('paused', id);
    expect(events.filter((e) => e === 'completed')).toHaveLength(1);
    expect(events).not.toContain('failed');
  });

  it('warm shutdown waits at most WORKER_SHUTDOWN_GRACE, exits 0, and another worker takes the task at once', async () => {
    const queue = ['--queues', 'shutdown'];
    const a = await startWorker(system, queue, { WORKER_SHUTDOWN_GRACE: '1' });
    const submitted = await system.submit('tasks.long_running_task', { args: [20], queue: 'shutdown' });
    expect(submitted.status).toBe(202);
    const id = submitted.body.task_id;
    await system.waitForState(id, 'PROGRESS', 60_000);

    const signalledAt = Date.now();
    const code = await a.stop('SIGTERM', 60_000);
    const tookMs = Date.now() - signalledAt;
    expect({ code, output: code === 0 ? '' : a.output }).toEqual({ code: 0, output: '' });
    // grace 1 s plus Nest's shutdown on a busy machine: far below the 20 s the task still needs
    expect(tookMs).toBeLessThan(10_000);
    expect(a.text).toMatch(/grace time over: 1 running task/);

    // the abandoned task is not failed: the leaving worker marked itself dead, so the next one takes it over
    const after = (await system.status(id)).body;
    expect(after.state).toMatch(/^(STARTED|PROGRESS)$/);

    await startWorker(system, queue);
    await waitFor(
      'the task to run again',
      async () => (await system.status(id)).body.redeliveries === 1,
      RECOVERED_WITHIN_MS,
    );
    const done = await system.waitForState(id, ['SUCCESS', 'FAILURE', 'REVOKED'], 120_000);
    expect(done).toMatchObject({ state: 'SUCCESS', result: { status: 'completed', result: 20 } });
  });
});
