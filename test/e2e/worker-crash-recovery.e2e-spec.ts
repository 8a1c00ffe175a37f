import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { TestSystem } from '../utils/test-system.js';
import { E2E_TIMEOUT_MS, startWorker } from '../utils/runtime-helpers.js';

jest.setTimeout(E2E_TIMEOUT_MS);

/** Short locks, so that a dead worker's tasks are taken over within seconds instead of half a minute. */
const FAST_RECOVERY = { WORKER_LOCK_DURATION: '2', WORKER_STALLED_INTERVAL: '1' };

describe('worker crashes and shutdowns lose no task (at-least-once)', () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await TestSystem.start();
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('re-runs the tasks of a worker killed with SIGKILL on another worker', async () => {
    // each test uses its own queue, so that its workers never take the other's tasks
    const queue = ['--queues', 'crash', '--concurrency', '4'];
    const a = await startWorker(system, queue, FAST_RECOVERY);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const submitted = await system.submit('tasks.long_running_task', { args: [4], queue: 'crash' });
      expect(submitted.status).toBe(202);
      ids.push(submitted.body.task_id);
    }
    for (const id of ids) await system.waitForState(id, ['STARTED', 'PROGRESS'], 60_000);

    expect(await a.stop('SIGKILL')).toBeNull();
    for (const id of ids) {
      // nothing recorded an outcome for them: they are still active, under a lock nobody renews
      expect((await system.status(id)).body.state).toMatch(/^(STARTED|PROGRESS)$/);
    }

    await startWorker(system, queue, FAST_RECOVERY);
    for (const id of ids) {
      const done = await system.waitForState(id, ['SUCCESS', 'FAILURE', 'REVOKED'], 90_000);
      expect(done).toMatchObject({ state: 'SUCCESS', result: { status: 'completed', result: 4 } });
    }
  });

  it('warm shutdown waits at most WORKER_SHUTDOWN_GRACE, exits 0, and leaves the task to another worker', async () => {
    const queue = ['--queues', 'shutdown'];
    const a = await startWorker(system, queue, { ...FAST_RECOVERY, WORKER_SHUTDOWN_GRACE: '1' });
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
    expect(a.output).toMatch(/grace time over: 1 running task/);

    // the abandoned task is not failed: it waits for its lock to lapse
    const after = (await system.status(id)).body;
    expect(after.state).toMatch(/^(STARTED|PROGRESS)$/);

    await startWorker(system, queue, FAST_RECOVERY);
    const done = await system.waitForState(id, ['SUCCESS', 'FAILURE', 'REVOKED'], 120_000);
    expect(done).toMatchObject({ state: 'SUCCESS', result: { status: 'completed', result: 20 } });
  });
});
