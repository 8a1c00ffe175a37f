import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { AppProcess } from '../utils/app-process.js';
import { TestSystem } from '../utils/test-system.js';
import { E2E_TIMEOUT_MS, runCli, startWorker, waitForWorker } from '../utils/runtime-helpers.js';

jest.setTimeout(E2E_TIMEOUT_MS);

const FINAL = ['SUCCESS', 'FAILURE', 'REVOKED'];

describe('revoke with terminate stops a running task, from another process', () => {
  let system: TestSystem;
  let worker: AppProcess;

  beforeAll(async () => {
    system = await TestSystem.start();
    worker = await startWorker(system, ['--queues', 'default', '--pool-size', '2'], {
      TASK_TERMINATE_GRACE: '1',
    });
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('`codehubot revoke <id> --terminate` stops a task that honours its signal', async () => {
    const long = await system.submit('tasks.long_running_task', { args: [30] });
    expect(long.status).toBe(202);
    const id = long.body.task_id;
    await system.waitForState(id, 'PROGRESS', 60_000);

    const cli = await runCli(system, ['revoke', id, '--terminate', '--json']);
    expect(cli).toMatchObject({ code: 0 });
    expect(JSON.parse(cli.stdout)).toMatchObject({ task_id: id, name: 'tasks.long_running_task' });
    const revokedAt = Date.now();

    const done = await system.waitForState(id, FINAL, 30_000);
    expect(done).toMatchObject({ state: 'REVOKED', error: 'REVOKED: terminated' });
    // the worker heard it on the control channel and stopped it within moments, not after 30 steps
    expect(Date.now() - revokedAt).toBeLessThan(10_000);
    expect(done.current ?? 0).toBeLessThan(30);
  });

  it('`codehubot revoke` of an unknown id exits non-zero', async () => {
    const cli = await runCli(system, ['revoke', '00000000-0000-4000-8000-000000000000']);
    expect(cli.code).toBe(2);
    expect(cli.stderr).toMatch(/No task/);
  });

  it('POST /tasks/{id}/revoke {terminate} ends code that ignores its signal after TASK_TERMINATE_GRACE', async () => {
    const burn = await system.submit('tasks.cpu_burn', { args: [30] });
    expect(burn.status).toBe(202);
    const id = burn.body.task_id;
    await system.waitForState(id, 'STARTED', 60_000);

    const answer = await system.request<{ task_id: string; state: string }>('POST', `/tasks/${id}/revoke`, {
      terminate: true,
    });
    expect(answer.status).toBeLessThan(300);
    expect(answer.body.task_id).toBe(id);
    const revokedAt = Date.now();

    const done = await system.waitForState(id, FINAL, 30_000);
    expect(done).toMatchObject({ state: 'REVOKED', error: 'REVOKED: terminated' });
    // 1 s of grace, then its thread is ended: far sooner than the 30 s it would burn
    expect(Date.now() - revokedAt).toBeLessThan(12_000);

    // the worker keeps working on a fresh thread
    const add = await system.submit('tasks.add', { args: [1, 2] });
    expect(await system.waitForState(add.body.task_id, FINAL, 30_000)).toMatchObject({
      state: 'SUCCESS',
      result: 3,
    });
    // the ended thread is gone and its successor took its place: the pool is back to its size, no bigger
    const info = await waitForWorker(system, worker.pid, (w) => w.pool.replaced >= 1 && w.pool.size === 2);
    expect(info.pool.replaced).toBe(1);
    expect(worker.running).toBe(true);
  });
});
