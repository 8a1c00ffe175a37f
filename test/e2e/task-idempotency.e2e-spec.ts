import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { mailsContaining } from '../utils/task-watch.js';
import { TestSystem } from '../utils/test-system.js';

// processes start slowly on a busy machine: hooks and tests that start workers get room
jest.setTimeout(180_000);

/**
 * `idempotency_key`: the same key and the same call give the same task id and one run; the same key for
 * another call is a 409. Runs are counted by their side effect, a mail in the outbox.
 */
describe('idempotency_key', () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await TestSystem.start();
  });

  let workerStarted = false;
  const startWorker = async (): Promise<void> => {
    if (workerStarted) return;
    workerStarted = true;
    await system.startWorker(['--queues', 'default,email', '--concurrency', '4']);
  };

  afterAll(async () => {
    await system?.stop();
  });

  const mail = (subject: string, key: string, extra: Record<string, unknown> = {}) =>
    system.submit('tasks.email.send_email', {
      args: ['student@example.com', subject, 'once only'],
      idempotency_key: key,
      ...extra,
    });

  describe('before any worker runs', () => {
    it('two submissions with the same key and arguments → one task id, one job, one run', async () => {
      const key = `welcome-${randomUUID()}`;
      const subject = `once-${randomUUID()}`;
      const first = await mail(subject, key);
      const second = await mail(subject, key);
      expect(first.status).toBe(202);
      expect(second.status).toBe(202);
      expect(second.body.task_id).toBe(first.body.task_id);
      expect(second.body.state).toBe('PENDING');

      // the same call spelt with kwargs (in another order) is the same call
      const third = await system.submit('tasks.email.send_email', {
        kwargs: { body: 'once only', subject, to: 'student@example.com' },
        idempotency_key: key,
      });
      expect(third.status).toBe(202);
      expect(third.body.task_id).toBe(first.body.task_id);

      await startWorker();
      const done = await system.waitForState(first.body.task_id, 'SUCCESS', 60_000);
      expect(done.result).toEqual({ status: 'success', to: 'student@example.com' });

      // after it finished, the key still names that task and its result; nothing runs again
      const after = await mail(subject, key);
      expect(after.status).toBe(202);
      expect(after.body).toMatchObject({ task_id: first.body.task_id, state: 'SUCCESS' });
      await sleep(1_500);
      expect(await mailsContaining(system, subject)).toHaveLength(1);
      expect((await system.status(first.body.task_id)).body).toMatchObject({ state: 'SUCCESS', retries: 0 });
    });
  });

  describe('with a worker', () => {
    beforeAll(startWorker);

    it('concurrent submissions with the same key and arguments → one task id, one run', async () => {
      const key = `burst-${randomUUID()}`;
      const subject = `burst-${randomUUID()}`;
      const answers = await Promise.all(Array.from({ length: 8 }, () => mail(subject, key)));
      expect(answers.map((a) => a.status)).toEqual(Array(8).fill(202));
      const ids = new Set(answers.map((a) => a.body.task_id));
      expect(ids.size).toBe(1);
      const [id] = ids;
      await system.waitForState(id, 'SUCCESS', 60_000);
      await sleep(1_500);
      expect(await mailsContaining(system, subject)).toHaveLength(1);
    });

    it('different keys are different tasks', async () => {
      const a = await system.submit('tasks.add', { args: [1, 2], idempotency_key: `a-${randomUUID()}` });
      const b = await system.submit('tasks.add', { args: [1, 2], idempotency_key: `b-${randomUUID()}` });
      expect(a.body.task_id).not.toBe(b.body.task_id);
      expect(await system.waitForState(b.body.task_id, 'SUCCESS', 60_000)).toMatchObject({ result: 3 });
    });

    it('the same key with other arguments → 409, and the first task is untouched', async () => {
      const key = `conflict-${randomUUID()}`;
      const first = await system.submit('tasks.add', { args: [2, 2], idempotency_key: key });
      expect(first.status).toBe(202);
      const other = await system.submit('tasks.add', { args: [2, 3], idempotency_key: key });
      expect(other.status).toBe(409);
      expect(JSON.stringify(other.body)).toMatch(/idempotency_key/);
      expect(await system.waitForState(first.body.task_id, 'SUCCESS', 60_000)).toMatchObject({ result: 4 });
      // still a conflict once the first has finished
      const later = await system.submit('tasks.add', { args: [2, 3], idempotency_key: key });
      expect(later.status).toBe(409);
    });

    it('the same key for another task → 409', async () => {
      const key = `other-task-${randomUUID()}`;
      const first = await system.submit('tasks.add', { args: [1, 1], idempotency_key: key });
      expect(first.status).toBe(202);
      const other = await system.submit('tasks.xsum', { args: [[1, 1]], idempotency_key: key });
      expect(other.status).toBe(409);
    });

    it('concurrent submissions with the same key but other arguments: one wins, the others → 409', async () => {
      const key = `race-${randomUUID()}`;
      const answers = await Promise.all(
        [1, 2, 3, 4].map((y) => system.submit('tasks.add', { args: [100, y], idempotency_key: key })),
      );
      const accepted = answers.filter((a) => a.status === 202);
      expect(accepted).toHaveLength(1);
      expect(answers.filter((a) => a.status === 409)).toHaveLength(3);
      const winner = answers.indexOf(accepted[0]) + 1;
      const done = await system.waitForState(accepted[0].body.task_id, 'SUCCESS', 60_000);
      expect(done.result).toBe(100 + winner);
    });
  });
});
