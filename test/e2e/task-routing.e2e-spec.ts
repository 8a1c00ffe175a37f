import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { eventually, mailsContaining, outboxDir } from '../utils/task-watch.js';
import { TestSystem } from '../utils/test-system.js';

// processes start slowly on a busy machine: hooks and tests that start workers get room
jest.setTimeout(180_000);

/** Routing: `tasks.email.*` → email, the rest → default; a worker takes only its queues; `queue` overrides. */
describe('routing and queues', () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await TestSystem.start();
    await system.startWorker(['--queues', 'default', '--concurrency', '2']);
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('a default-only worker never takes send_email; an email worker does, writing to the outbox', async () => {
    const subject = `routed-${randomUUID()}`;
    const submitted = await system.submit('tasks.email.send_email', {
      args: ['teacher@example.com', subject, 'routed to the email queue'],
    });
    expect(submitted.status).toBe(202);
    const id = submitted.body.task_id;
    expect((await system.status(id)).body).toMatchObject({ state: 'PENDING', queue: 'email' });

    // the default worker is alive and busy with its own queue meanwhile
    const add = await system.submit('tasks.add', { args: [2, 2] });
    expect(await system.waitForState(add.body.task_id, 'SUCCESS', 60_000)).toMatchObject({
      queue: 'default',
    });
    await sleep(2_000);
    expect((await system.status(id)).body).toMatchObject({ state: 'PENDING', queue: 'email' });
    expect(await mailsContaining(system, subject)).toHaveLength(0);

    await system.startWorker(['--queues', 'email']);
    const done = await system.waitForState(id, ['SUCCESS', 'FAILURE'], 60_000);
    expect(done).toMatchObject({
      state: 'SUCCESS',
      queue: 'email',
      result: { status: 'success', to: 'teacher@example.com' },
    });
    const files = await eventually('the mail in the outbox', async () => {
      const found = await mailsContaining(system, subject);
      return found.length > 0 ? found : undefined;
    });
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/\.eml$/);
    const eml = await readFile(join(outboxDir(system), files[0]), 'utf8');
    expect(eml).toMatch(/^To: teacher@example\.com$/m);
    expect(eml).toContain('routed to the email queue');
  });

  describe('the queue option overrides routing', () => {
    it('send_email with queue default runs on the default worker', async () => {
      const subject = `override-${randomUUID()}`;
      const submitted = await system.submit('tasks.email.send_email', {
        args: ['teacher@example.com', subject, 'sent through default'],
        queue: 'default',
      });
      const done = await system.waitForState(submitted.body.task_id, ['SUCCESS', 'FAILURE'], 60_000);
      expect(done).toMatchObject({ state: 'SUCCESS', queue: 'default', name: 'tasks.email.send_email' });
      expect(await mailsContaining(system, subject)).toHaveLength(1);
    });

    it('tasks.add to a queue no worker consumes waits there, then runs on a worker for it', async () => {
      const submitted = await system.submit('tasks.add', { args: [5, 6], queue: 'reports' });
      const id = submitted.body.task_id;
      expect(submitted.body.state).toBe('PENDING');
      await sleep(2_000);
      expect((await system.status(id)).body).toMatchObject({ state: 'PENDING', queue: 'reports' });
      await system.startWorker(['--queues', 'reports']);
      expect(await system.waitForState(id, ['SUCCESS', 'FAILURE'], 60_000)).toMatchObject({
        state: 'SUCCESS',
        queue: 'reports',
        result: 11,
      });
    });

    it('an invalid queue name → 400 naming queue', async () => {
      const answer = await system.submit('tasks.add', { args: [1, 1], queue: '_private' });
      expect(answer.status).toBe(400);
      expect(JSON.stringify(answer.body)).toMatch(/queue/);
    });
  });
});
