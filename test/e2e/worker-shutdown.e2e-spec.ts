import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { TestSystem } from '../utils/test-system.js';

// processes start slowly on a busy machine: hooks and tests that start workers get room
jest.setTimeout(180_000);

/** SIGTERM is a warm shutdown: stop taking work, let running tasks finish, exit 0. */
describe('worker warm shutdown', () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await TestSystem.start();
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('SIGTERM during long_running_task(2): the task finishes SUCCESS, the worker exits 0', async () => {
    const worker = await system.startWorker(['--queues', 'default', '--concurrency', '2']);
    const submitted = await system.submit('tasks.long_running_task', { args: [2] });
    const id = submitted.body.task_id;
    await system.waitForState(id, ['STARTED', 'PROGRESS'], 60_000);

    worker.child.kill('SIGTERM');
    await worker.waitForOutput(/warm shutdown/);
    // work submitted now is left for another worker
    const later = await system.submit('tasks.add', { args: [1, 2] });

    const killer = setTimeout(() => worker.child.kill('SIGKILL'), 60_000);
    const code = await worker.exited;
    clearTimeout(killer);
    expect({ code, output: worker.output }).toMatchObject({ code: 0 });
    // the worker only exited after the task had finished: no polling needed
    const done = await system.status(id);
    expect(done.body).toMatchObject({
      state: 'SUCCESS',
      result: { status: 'completed', result: 2 },
      retries: 0,
    });
    expect((await system.status(later.body.task_id)).body.state).toBe('PENDING');

    await system.startWorker(['--queues', 'default']);
    expect(await system.waitForState(later.body.task_id, 'SUCCESS', 60_000)).toMatchObject({ result: 3 });
  });

  it('SIGTERM to an idle worker exits 0 at once', async () => {
    const worker = await system.startWorker(['--queues', 'default']);
    const code = await worker.stop('SIGTERM', 60_000);
    expect({ code, signal: worker.child.signalCode }).toEqual({ code: 0, signal: null });
  });
});
