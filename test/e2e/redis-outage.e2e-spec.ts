import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AppProcess } from '../utils/app-process.js';
import { TestSystem } from '../utils/test-system.js';

/** A hang is the bug looked for: answers must come back well before this. */
const FAIL_FAST_MS = 5_000;

/** Sends a request with a hard client-side cap, and measures how long the answer took. */
async function timed(
  system: TestSystem,
  method: string,
  path: string,
  body?: unknown,
  auth = true,
): Promise<{ status: number; ms: number; body: unknown; retryAfter: string | null }> {
  const started = performance.now();
  const response = await system.fetch(path, {
    method,
    headers: {
      ...(auth ? { authorization: 'Bearer test-key-1' } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  const ms = performance.now() - started;
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // keep the text
  }
  return { status: response.status, ms, body: parsed, retryAfter: response.headers.get('retry-after') };
}

/**
 * The broker goes away and comes back on the same port. The API must refuse at once (503) instead of hanging,
 * say so on /health, and recover by itself; a worker started before the outage must reconnect by itself and
 * run what is submitted after it.
 */
describe('Redis goes away and comes back', () => {
  let system: TestSystem;
  let worker: AppProcess;

  beforeAll(async () => {
    system = await TestSystem.start();
    worker = await system.startWorker(['--queues', 'default', '--concurrency', '2']);
  }, 180_000);

  afterAll(async () => {
    await system?.stop();
  });

  it('works before the outage', async () => {
    const submitted = await system.submit('tasks.add', { args: [1, 1] });
    expect(submitted.status).toBe(202);
    expect(await system.waitForState(submitted.body.task_id, 'SUCCESS')).toMatchObject({ result: 2 });
  });

  it('answers 503 at once while Redis is down, on submit, status and /health', async () => {
    await system.redis.stop();

    // the first request after the drop and a few more: each must fail fast, none may hang
    for (let i = 0; i < 3; i++) {
      const submit = await timed(system, 'POST', '/tasks/tasks.add', { args: [2, 2] });
      expect({ status: submit.status, body: submit.body }).toMatchObject({
        status: 503,
        body: { statusCode: 503 },
      });
      expect(submit.ms).toBeLessThan(FAIL_FAST_MS);
      expect(submit.retryAfter).not.toBeNull();
    }

    const status = await timed(system, 'GET', '/tasks/3b241101-e2bb-4255-8caf-4136c566a962');
    expect(status.status).toBe(503);
    expect(status.ms).toBeLessThan(FAIL_FAST_MS);

    const health = await timed(system, 'GET', '/health', undefined, false);
    expect(health.status).toBe(503);
    expect(health.ms).toBeLessThan(FAIL_FAST_MS);
    expect(health.body).toMatchObject({ status: 'error', error: { redis: { status: 'down' } } });
    expect(health.body).toMatchObject({ details: { database: { status: 'up' } } });

    expect(system.api?.running).toBe(true);
    expect(worker.running).toBe(true);
  });

  it('recovers by itself: submits succeed again and the worker from before the outage runs them', async () => {
    await sleep(2_000); // long enough for the clients to have given up a few reconnect attempts
    await system.redis.restart();

    // the API reconnects by itself (its reconnect back-off is capped at 2 s)
    const deadline = Date.now() + 30_000;
    let submitted = await system.submit('tasks.add', { args: [20, 22] });
    while (submitted.status !== 202 && Date.now() < deadline) {
      await sleep(250);
      submitted = await system.submit('tasks.add', { args: [20, 22] });
    }
    expect(submitted.status).toBe(202);

    const done = await system.waitForState(submitted.body.task_id, ['SUCCESS', 'FAILURE'], 60_000);
    expect(done).toMatchObject({ state: 'SUCCESS', result: 42 });
    expect(system.workers).toEqual([worker]);
    expect(worker.running).toBe(true);

    const health = await timed(system, 'GET', '/health', undefined, false);
    expect(health.status).toBe(200);
  });
});
