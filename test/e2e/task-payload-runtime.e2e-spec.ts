import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { TestSystem } from '../utils/test-system.js';

jest.setTimeout(180_000);

const FINAL = ['SUCCESS', 'FAILURE', 'REVOKED'];
const SEND_EMAIL = 'tasks.email.send_email';

/**
 * Jobs that reach Redis without going through our client (older code, another producer, a hand-made job): the
 * worker checks their payload before running them, and a payload that fails is a permanent failure even for
 * a task that retries. The client stamps the rules it checked; a stamp from other rules counts for nothing.
 */
describe('payload validation at run time', () => {
  let system: TestSystem;
  let queue: Queue;

  beforeAll(async () => {
    system = await TestSystem.start();
    await system.startWorker(['--queues', 'email']);
    queue = new Queue('email', { connection: { url: system.redis.url }, prefix: system.prefix });
  });

  afterAll(async () => {
    await queue?.close();
    await system?.stop();
  });

  /** Adds a job as another producer would: BullMQ directly, with send_email's retry policy (3 retries). */
  async function addRaw(data: object): Promise<string> {
    const id = randomUUID();
    await queue.add(SEND_EMAIL, data, { jobId: id, attempts: 4, backoff: { type: 'task' } });
    return id;
  }

  it('fails an unstamped job with an invalid payload at once, naming the field, without retries', async () => {
    const id = await addRaw({ kwargs: { to: 'not-an-address', subject: 'hi', body: 'text' } });
    const done = await system.waitForState(id, FINAL, 60_000);
    expect(done).toMatchObject({ state: 'FAILURE', retries: 0 });
    expect(done.error).toMatch(/Invalid payload: .*to: /);
  });

  it('does not trust a stamp from other payload rules', async () => {
    const id = await addRaw({
      kwargs: { to: 'someone@example.org', subject: 'hi', body: 'text', cc: 'boss@example.org' },
      schema: 'rules-of-older-code',
    });
    const done = await system.waitForState(id, FINAL, 60_000);
    expect(done).toMatchObject({ state: 'FAILURE', retries: 0 });
    expect(done.error).toMatch(/Invalid payload: .*cc: unknown parameter/);
  });

  it('runs a valid unstamped job', async () => {
    const id = await addRaw({ kwargs: { to: 'someone@example.org', subject: 'hi', body: 'text' } });
    expect(await system.waitForState(id, FINAL, 60_000)).toMatchObject({
      state: 'SUCCESS',
      result: { status: 'success', to: 'someone@example.org' },
    });
  });
});
