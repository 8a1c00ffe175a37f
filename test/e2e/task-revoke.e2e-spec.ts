import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppProcess } from '../utils/app-process.js';
import { mailsContaining, stateSequence, watchTask } from '../utils/task-watch.js';
import { TestSystem } from '../utils/test-system.js';

// processes start slowly on a busy machine: hooks and tests that start workers get room
jest.setTimeout(180_000);

/** Runs `codehubot revoke …` (the built CLI) against the system; resolves with its exit code and output. */
async function cli(system: TestSystem, args: string[]): Promise<{ code: number | null; output: string }> {
  const command = new AppProcess('worker', args, system.env());
  const code = await command.exited;
  return { code, output: command.output };
}

/** Revoke: a waiting or scheduled task never runs; with terminate a running one is stopped. */
describe('revoke', () => {
  let system: TestSystem;
  let worker: AppProcess;

  beforeAll(async () => {
    system = await TestSystem.start();
    worker = await system.startWorker(['--queues', 'default,email', '--concurrency', '4']);
  });

  afterAll(async () => {
    await system?.stop();
  });

  const mail = (subject: string, options: Record<string, unknown> = {}) =>
    system.submit('tasks.email.send_email', { args: ['student@example.com', subject, 'body'], ...options });

  it('a waiting task reads REVOKED and never runs, even once a worker takes its queue', async () => {
    const subject = `revoked-waiting-${randomUUID()}`;
    const submitted = await mail(subject, { queue: 'held' });
    expect(submitted.body.state).toBe('PENDING');
    const id = submitted.body.task_id;

    const revoked = await system.request<{ state: string; task_id: string }>(
      'POST',
      `/tasks/${id}/revoke`,
      {},
    );
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ task_id: id, state: 'REVOKED' });
    expect((await system.status(id)).body.state).toBe('REVOKED');

    await system.startWorker(['--queues', 'held']);
    // a task queued behind it runs: so the worker has been past the revoked one
    const control = await mail(`control-${subject}`, { queue: 'held' });
    await system.waitForState(control.body.task_id, 'SUCCESS', 60_000);
    const history = await watchTask(system, id, (b) => b.error !== undefined, 60_000);
    expect(stateSequence(history)).toEqual(['REVOKED']);
    const final = history.at(-1)?.body;
    expect(final?.error).toMatch(/revoked/);
    expect(final?.result).toBeUndefined();
    expect(await mailsContaining(system, `control-${subject}`)).toHaveLength(1);
    expect(await mailsContaining(system, `Subject: ${subject}`)).toHaveLength(0);
  });

  it('a SCHEDULED task revoked before its countdown never runs', async () => {
    const subject = `revoked-scheduled-${randomUUID()}`;
    const submitted = await mail(subject, { countdown: 2 });
    expect(submitted.body.state).toBe('SCHEDULED');
    const id = submitted.body.task_id;

    const revoked = await system.request<{ state: string }>('POST', `/tasks/${id}/revoke`, {});
    expect(revoked.status).toBe(200);
    expect(revoked.body.state).toBe('REVOKED');

    // once due, the worker takes it and refuses it; until then and after it reads REVOKED
    const history = await watchTask(system, id, (b) => b.error !== undefined, 60_000);
    expect(stateSequence(history)).toEqual(['REVOKED']);
    expect(history.at(-1)?.body.result).toBeUndefined();
    expect(await mailsContaining(system, subject)).toHaveLength(0);
  });

  it('terminate stops a running long_running_task(30) within seconds, from the API process', async () => {
    const submitted = await system.submit('tasks.long_running_task', { args: [30] });
    const id = submitted.body.task_id;
    await system.waitForState(id, 'PROGRESS', 60_000);

    const requestedAt = Date.now();
    const answer = await system.request('POST', `/tasks/${id}/revoke`, { terminate: true });
    expect(answer.status).toBe(200);
    const history = await watchTask(system, id, (b) => b.state === 'REVOKED', 15_000);
    expect(Date.now() - requestedAt).toBeLessThan(15_000);
    const final = history.at(-1)?.body;
    expect(final?.result).toBeUndefined();

    // it stays stopped (no SUCCESS later), and the worker that ran it is alive and still works
    await sleep(2_000);
    const later = await system.status(id);
    expect(later.body.state).toBe('REVOKED');
    expect(later.body.current ?? 0).toBeLessThan(30);
    expect(worker.running).toBe(true);
    const add = await system.submit('tasks.add', { args: [1, 1] });
    expect(await system.waitForState(add.body.task_id, 'SUCCESS', 60_000)).toMatchObject({ result: 2 });
  });

  it('an unknown id → 404', async () => {
    const answer = await system.request('POST', `/tasks/${randomUUID()}/revoke`, {});
    expect(answer.status).toBe(404);
  });

  describe('from the command line: codehubot revoke', () => {
    it('revokes a waiting task and exits 0', async () => {
      const submitted = await system.submit('tasks.add', { args: [5, 5], queue: 'held-cli' });
      const id = submitted.body.task_id;
      const { code, output } = await cli(system, ['revoke', id]);
      expect(code).toBe(0);
      expect(output).toContain(id);
      expect(output).toContain('REVOKED');
      expect((await system.status(id)).body.state).toBe('REVOKED');
    });

    it('--terminate stops a running task', async () => {
      const submitted = await system.submit('tasks.long_running_task', { args: [30] });
      const id = submitted.body.task_id;
      await system.waitForState(id, ['STARTED', 'PROGRESS'], 60_000);
      const { code } = await cli(system, ['revoke', id, '--terminate']);
      expect(code).toBe(0);
      const done = await system.waitForState(id, ['REVOKED', 'SUCCESS', 'FAILURE'], 15_000);
      expect(done.state).toBe('REVOKED');
    });

    it('exits non-zero for an unknown id', async () => {
      const { code, output } = await cli(system, ['revoke', randomUUID()]);
      expect(code).not.toBe(0);
      expect(code).not.toBeNull();
      expect(output).toMatch(/No task/);
    });
  });
});
