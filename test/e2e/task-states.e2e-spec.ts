import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { freePort } from '../utils/free-port.js';
import { stateSequence, watchTask } from '../utils/task-watch.js';
import { TestSystem } from '../utils/test-system.js';

// processes start slowly on a busy machine: hooks and tests that start workers get room
jest.setTimeout(180_000);

const FINAL = ['SUCCESS', 'FAILURE', 'REVOKED'];
const isFinal = (body: { state: string }): boolean => FINAL.includes(body.state);

/** Every state of the contract, as `GET /tasks/{id}` shows it from outside. */
describe('task states seen through GET /tasks/{id}', () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await TestSystem.start();
  });

  afterAll(async () => {
    await system?.stop();
  });

  describe('before any worker runs', () => {
    it('PENDING: a task in a queue nobody consumes', async () => {
      const submitted = await system.submit('tasks.add', { args: [1, 2], queue: 'unconsumed' });
      expect(submitted.status).toBe(202);
      expect(submitted.body.state).toBe('PENDING');
      const answer = await system.status(submitted.body.task_id);
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        task_id: submitted.body.task_id,
        state: 'PENDING',
        status: 'Pending...',
        name: 'tasks.add',
        queue: 'unconsumed',
        retries: 0,
      });
    });

    it('SCHEDULED: a task whose countdown has not run out, with its eta', async () => {
      const before = Date.now();
      const submitted = await system.submit('tasks.add', { args: [1, 2], countdown: 600 });
      const after = Date.now();
      expect(submitted.status).toBe(202);
      expect(submitted.body.state).toBe('SCHEDULED');
      const { body } = await system.status(submitted.body.task_id);
      expect(body).toMatchObject({ state: 'SCHEDULED', name: 'tasks.add', queue: 'default', retries: 0 });
      expect(body.result).toBeUndefined();
      const eta = Date.parse(body.eta ?? '');
      expect(eta).toBeGreaterThanOrEqual(before + 600_000);
      expect(eta).toBeLessThanOrEqual(after + 600_000);
    });

    it('REVOKED: a waiting task after POST /tasks/{id}/revoke', async () => {
      const submitted = await system.submit('tasks.add', { args: [1, 2], queue: 'unconsumed' });
      const revoked = await system.request<{ state: string }>(
        'POST',
        `/tasks/${submitted.body.task_id}/revoke`,
        {},
      );
      expect(revoked.status).toBe(200);
      expect(revoked.body.state).toBe('REVOKED');
      const { body } = await system.status(submitted.body.task_id);
      expect(body).toMatchObject({ state: 'REVOKED', status: 'Task revoked', name: 'tasks.add' });
      expect(body.result).toBeUndefined();
    });
  });

  describe('with a worker on default and email, its SMTP server unreachable', () => {
    beforeAll(async () => {
      const closed = await freePort();
      await system.startWorker(['--queues', 'default,email', '--concurrency', '4'], {
        SMTP_URL: `smtp://127.0.0.1:${closed}`,
      });
    });

    it('SUCCESS: the result, date_done and no retries', async () => {
      const submitted = await system.submit('tasks.add', { args: [20, 22] });
      const done = await system.waitForState(submitted.body.task_id, FINAL, 60_000);
      expect(done).toMatchObject({
        task_id: submitted.body.task_id,
        state: 'SUCCESS',
        status: 'Task completed!',
        result: 42,
        retries: 0,
      });
      expect(Date.parse(done.date_done ?? '')).not.toBeNaN();
      expect(done.error).toBeUndefined();
    });

    it('STARTED: a running task that reports no progress (cpu_burn 3)', async () => {
      const submitted = await system.submit('tasks.cpu_burn', { args: [3] });
      const started = await system.waitForState(submitted.body.task_id, 'STARTED', 60_000);
      expect(started).toMatchObject({
        status: 'Started',
        name: 'tasks.cpu_burn',
        queue: 'default',
        retries: 0,
      });
      expect(started.current).toBeUndefined();
      expect(started.result).toBeUndefined();
      const done = await system.waitForState(submitted.body.task_id, FINAL, 60_000);
      expect(done).toMatchObject({ state: 'SUCCESS', result: { burned: 3 } });
    });

    it('STARTED, then PROGRESS with current/total/percent, then SUCCESS: long_running_task(3)', async () => {
      const submitted = await system.submit('tasks.long_running_task', { args: [3] });
      const history = await watchTask(system, submitted.body.task_id, isFinal, 60_000);
      // STARTED lasts one second here, which a poll on a busy machine may miss: the order is what counts
      const states = stateSequence(history);
      expect(states).toContain('PROGRESS');
      expect(states.at(-1)).toBe('SUCCESS');
      const order = ['PENDING', 'STARTED', 'PROGRESS', 'SUCCESS'];
      const ranks = states.map((s) => order.indexOf(s));
      expect(ranks).not.toContain(-1);
      expect(ranks).toEqual([...ranks].sort((a, b) => a - b));

      const progress = history.filter((o) => o.body.state === 'PROGRESS').map((o) => o.body);
      expect(progress.length).toBeGreaterThanOrEqual(1);
      for (const p of progress) {
        expect(p.total).toBe(3);
        expect([1, 2, 3]).toContain(p.current);
        expect(p.percent).toBe(Math.round(((p.current ?? 0) / 3) * 1000) / 10);
        expect(p.status).toBe('In progress');
      }
      const currents = progress.map((p) => p.current ?? 0);
      expect(currents).toEqual([...currents].sort((a, b) => a - b));

      const done = history.at(-1)?.body;
      expect(done).toMatchObject({ state: 'SUCCESS', result: { status: 'completed', result: 3 } });
      expect(done?.current).toBeUndefined();
    });

    it('RETRY while SMTP is refused, then FAILURE with retries: 3 and the error', async () => {
      const submitted = await system.submit('tasks.email.send_email', {
        kwargs: { to: 'student@example.com', subject: 'retry me', body: 'hello' },
      });
      expect(submitted.status).toBe(202);
      const history = await watchTask(system, submitted.body.task_id, isFinal, 60_000);
      const retries = history.filter((o) => o.body.state === 'RETRY').map((o) => o.body);
      expect(retries.length).toBeGreaterThanOrEqual(1);
      for (const r of retries) {
        expect(r).toMatchObject({ status: 'Failed; a retry is scheduled', queue: 'email' });
        expect([1, 2, 3]).toContain(r.retries);
      }
      const seenRetries = retries.map((r) => r.retries);
      expect(seenRetries).toEqual([...seenRetries].sort((a, b) => a - b));

      const done = history.at(-1)?.body;
      expect(done).toMatchObject({
        state: 'FAILURE',
        status: 'Task failed!',
        name: 'tasks.email.send_email',
        queue: 'email',
        retries: 3,
      });
      expect(done?.error).toMatch(/ECONNREFUSED|connect/i);
      expect(done?.result).toBeUndefined();
      expect(Date.parse(done?.date_done ?? '')).not.toBeNaN();
    });
  });
});
