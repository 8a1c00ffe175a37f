import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { AppProcess } from '../utils/app-process.js';
import { TestSystem } from '../utils/test-system.js';
import { E2E_TIMEOUT_MS, startWorker, waitForWorker } from '../utils/runtime-helpers.js';

jest.setTimeout(E2E_TIMEOUT_MS);

const FINAL = ['SUCCESS', 'FAILURE', 'REVOKED'];

describe('soft and hard time limits', () => {
  let system: TestSystem;
  /** Consumes queue `hard`: soft 2 s, hard 4 s, two executor threads. */
  let hardWorker: AppProcess;
  /** Consumes queue `soft`: soft 2 s, hard 10 s. */
  let softWorker: AppProcess;

  beforeAll(async () => {
    system = await TestSystem.start();
    [hardWorker, softWorker] = await Promise.all([
      startWorker(system, ['--queues', 'hard', '--pool-size', '2'], {
        TASK_SOFT_TIME_LIMIT: '2',
        TASK_TIME_LIMIT: '4',
      }),
      startWorker(system, ['--queues', 'soft', '--pool-size', '2'], {
        TASK_SOFT_TIME_LIMIT: '2',
        TASK_TIME_LIMIT: '10',
      }),
    ]);
    // a task's limits run from when its code starts on a thread: wait for the threads, so that the time a
    // test observes from STARTED is the limit's, not a loaded machine's thread start-up
    await Promise.all([hardWorker, softWorker].map((w) => w.waitForOutput(/executor ready/, 60_000)));
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('ends code that never yields at the hard limit, while other tasks keep running', async () => {
    const burn = await system.submit('tasks.cpu_burn', { args: [20], queue: 'hard' });
    expect(burn.status).toBe(202);
    const burnId = burn.body.task_id;
    await system.waitForState(burnId, 'STARTED', 60_000);
    const startedAt = Date.now();

    // the burn holds one executor thread; the consumer and the other thread are free
    const add = await system.submit('tasks.add', { args: [2, 3], queue: 'hard' });
    expect(add.status).toBe(202);
    const added = await system.waitForState(add.body.task_id, FINAL, 30_000);
    const burnWhenAdded = (await system.status(burnId)).body.state;
    expect(added).toMatchObject({ state: 'SUCCESS', result: 5 });
    expect(burnWhenAdded).toBe('STARTED');

    const burnt = await system.waitForState(burnId, FINAL, 30_000);
    const tookMs = Date.now() - startedAt;
    expect(burnt.state).toBe('FAILURE');
    expect(burnt.error).toMatch(/hard time limit \(4 s\)/);
    // 4 s limit, observed with slack for a loaded machine: far below the 20 s the task asked for
    expect(tookMs).toBeLessThan(15_000);
  });

  it('keeps working after a hard-limit kill and reports the replaced thread', async () => {
    const add = await system.submit('tasks.add', { args: [20, 22], queue: 'hard' });
    expect(add.status).toBe(202);
    expect(await system.waitForState(add.body.task_id, FINAL, 30_000)).toMatchObject({
      state: 'SUCCESS',
      result: 42,
    });
    // the ended thread's successor takes its place (while the old one exits, the count may briefly be 3)
    const info = await waitForWorker(
      system,
      hardWorker.pid,
      (w) => w.pool.replaced >= 1 && w.pool.size === 2,
    );
    expect(info.pool).toMatchObject({ kind: 'threads', replaced: 1 });
  });

  it('fires the soft limit as the task signal: a task that honours it fails naming the soft limit', async () => {
    const long = await system.submit('tasks.long_running_task', { args: [30], queue: 'soft' });
    expect(long.status).toBe(202);
    const id = long.body.task_id;
    await system.waitForState(id, ['STARTED', 'PROGRESS'], 60_000);
    const startedAt = Date.now();
    const done = await system.waitForState(id, FINAL, 30_000);
    expect(done.state).toBe('FAILURE');
    expect(done.error).toMatch(/soft time limit \(2 s\)/);
    expect(done.error).not.toMatch(/hard time limit/);
    // it stopped itself at the soft limit, well before the hard one (10 s)
    expect(Date.now() - startedAt).toBeLessThan(9_000);

    // stopping on its own signal needs no thread to be ended
    const info = await waitForWorker(system, softWorker.pid, (w) => w.failed >= 1);
    expect(info.pool.replaced).toBe(0);
  });
});
