import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { mailsContaining, stateSequence, watchTask } from '../utils/task-watch.js';
import { TestSystem } from '../utils/test-system.js';

// processes start slowly on a busy machine: hooks and tests that start workers get room
jest.setTimeout(180_000);

const FINAL = ['SUCCESS', 'FAILURE', 'REVOKED'];
/** Slack for "then it runs": the machine is shared, so lateness is allowed, earliness never. */
const LATE_SLACK_MS = 10_000;

const messageOf = (body: unknown): string => JSON.stringify((body as { message?: unknown }).message);

/** countdown, eta and expires: when a task may run, and when it may no longer. */
describe('countdown, eta and expires', () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await TestSystem.start();
    await system.startWorker(['--queues', 'default,email', '--concurrency', '4']);
  });

  afterAll(async () => {
    await system?.stop();
  });

  /** Submits, then watches until final; asserts SCHEDULED until `runAt` and SUCCESS not long after. */
  async function expectDeferredRun(
    body: Record<string, unknown>,
    before: number,
    runAt: number,
  ): Promise<void> {
    const submitted = await system.submit('tasks.add', { args: [2, 3], ...body });
    const after = Date.now();
    expect(submitted.status).toBe(202);
    expect(submitted.body.state).toBe('SCHEDULED');
    const history = await watchTask(
      system,
      submitted.body.task_id,
      (b) => FINAL.includes(b.state),
      runAt - Date.now() + LATE_SLACK_MS + 20_000,
    );
    const states = stateSequence(history);
    expect(states.at(-1)).toBe('SUCCESS');
    expect(states).not.toContain('REVOKED');

    const firstOther = history.find((o) => o.body.state !== 'SCHEDULED');
    expect(firstOther?.at).toBeGreaterThanOrEqual(runAt);
    const scheduled = history.filter((o) => o.body.state === 'SCHEDULED');
    for (const o of scheduled) {
      expect(Date.parse(o.body.eta ?? '')).toBeGreaterThanOrEqual(runAt);
      expect(Date.parse(o.body.eta ?? '')).toBeLessThanOrEqual(runAt + (after - before));
    }

    const done = history.at(-1)?.body;
    expect(done?.result).toBe(5);
    const doneAt = Date.parse(done?.date_done ?? '');
    expect(doneAt).toBeGreaterThanOrEqual(runAt);
    expect(doneAt).toBeLessThan(runAt + LATE_SLACK_MS);
  }

  it('countdown 3: SCHEDULED for at least 3 s, then SUCCESS', async () => {
    const before = Date.now();
    await expectDeferredRun({ countdown: 3 }, before, before + 3_000);
  });

  it('eta 3 s ahead (ISO): SCHEDULED until then, then SUCCESS', async () => {
    const before = Date.now();
    const eta = before + 3_000;
    await expectDeferredRun({ eta: new Date(eta).toISOString() }, before, eta);
  });

  it('an eta in the past runs at once', async () => {
    const submitted = await system.submit('tasks.add', {
      args: [1, 1],
      eta: new Date(Date.now() - 60_000).toISOString(),
    });
    expect(submitted.status).toBe(202);
    const done = await system.waitForState(submitted.body.task_id, FINAL, 60_000);
    expect(done).toMatchObject({ state: 'SUCCESS', result: 2 });
  });

  it('expires: a task not picked up in time never runs and reads REVOKED', async () => {
    const stamp = Date.now();
    const late = `late-${stamp}`;
    const onTime = `on-time-${stamp}`;
    const submitted = await system.submit('tasks.email.send_email', {
      args: ['student@example.com', late, 'too late'],
      queue: 'late',
      expires: 1,
    });
    expect(submitted.status).toBe(202);
    expect(submitted.body.state).toBe('PENDING');
    await sleep(2_000);
    const expired = await system.status(submitted.body.task_id);
    expect(expired.body).toMatchObject({ state: 'REVOKED', queue: 'late' });

    await system.startWorker(['--queues', 'late']);
    // once the worker has taken it, the job fails with the expiry as reason; it still reads REVOKED
    const history = await watchTask(system, submitted.body.task_id, (b) => b.error !== undefined, 60_000);
    expect(stateSequence(history)).toEqual(['REVOKED']);
    const final = history.at(-1)?.body;
    expect(final?.error).toMatch(/expired/);
    expect(final?.result).toBeUndefined();

    // the same worker does run a fresh task of that queue: the expired one was skipped, not left waiting
    const control = await system.submit('tasks.email.send_email', {
      args: ['student@example.com', onTime, 'in time'],
      queue: 'late',
      expires: 60,
    });
    await system.waitForState(control.body.task_id, 'SUCCESS', 60_000);
    expect(await mailsContaining(system, onTime)).toHaveLength(1);
    expect(await mailsContaining(system, late)).toHaveLength(0);
  });

  it('expires with a countdown: runs when expires comes after the countdown', async () => {
    const submitted = await system.submit('tasks.add', { args: [3, 4], countdown: 1, expires: 30 });
    expect(submitted.status).toBe(202);
    const done = await system.waitForState(submitted.body.task_id, FINAL, 60_000);
    expect(done).toMatchObject({ state: 'SUCCESS', result: 7 });
  });

  it.each([
    ['a past ISO time', { expires: new Date(Date.now() - 60_000).toISOString() }],
    ['0 seconds', { expires: 0 }],
    ['a negative number of seconds', { expires: -5 }],
    ['before the countdown', { countdown: 10, expires: 5 }],
    ['before the eta', { eta: new Date(Date.now() + 3_600_000).toISOString(), expires: 60 }],
    ['not a time', { expires: 'tomorrow' }],
  ])('expires %s → 400 naming expires', async (_what, options) => {
    const answer = await system.submit('tasks.add', { args: [1, 1], ...options });
    expect(answer.status).toBe(400);
    expect(messageOf(answer.body)).toMatch(/expires/);
  });
});
