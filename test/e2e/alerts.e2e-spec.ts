import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { parseSamples, sampleValue } from '../utils/prometheus.js';
import { E2E_TIMEOUT_MS, startWorker, waitFor } from '../utils/runtime-helpers.js';
import { TestSystem } from '../utils/test-system.js';
import { WebhookReceiver } from '../utils/webhook-receiver.js';

jest.setTimeout(E2E_TIMEOUT_MS);

const FINAL = ['SUCCESS', 'FAILURE', 'REVOKED'];

describe('alerts: task_failed, queue_unattended, queue_wait, to a local webhook', () => {
  let system: TestSystem;
  let webhook: WebhookReceiver;

  const submit = async (name: string, body: Record<string, unknown>): Promise<string> => {
    const answer = await system.submit(name, body);
    expect(answer.status).toBe(202);
    return answer.body.task_id;
  };

  const scrape = async () => {
    const answer = await system.request<string>('GET', '/metrics');
    expect(answer.status).toBe(200);
    return parseSamples(answer.body);
  };

  const delivered = (alert: string, subject: string, status: string, count = 1) =>
    waitFor(
      `${count} ${status} notice(s) of ${alert} [${subject}]`,
      () => {
        const notices = webhook.delivered(alert, subject).filter((n) => n.status === status);
        return Promise.resolve(notices.length >= count ? notices : undefined);
      },
      60_000,
      250,
    );

  /** Every process's output: whichever holds the alert lease logs the alerts. */
  const logs = (): string => [system.api, ...system.workers].map((p) => p?.output ?? '').join('\n');

  beforeAll(async () => {
    // the very first notice is answered 500: it must come again
    webhook = await WebhookReceiver.start(1);
    system = await TestSystem.start({
      env: {
        ALERT_WEBHOOK_URL: webhook.url,
        ALERT_QUEUE_WAIT: '1',
        // tasks.sleep past 1 s fails for good (no retries): a task that fails or succeeds as asked
        TASK_SOFT_TIME_LIMIT: '1',
        TASK_TIME_LIMIT: '5',
      },
    });
    await startWorker(system, ['--queues', 'default']);
  });

  afterAll(async () => {
    await system?.stop();
    await webhook?.stop();
  });

  it('task_failed fires once for several failures of the same task, retried past a 500, then resolves on a success', async () => {
    const failing = await Promise.all([1, 2, 3].map(() => submit('tasks.sleep', { args: [3] })));
    for (const id of failing) expect((await system.waitForState(id, FINAL, 60_000)).state).toBe('FAILURE');

    const [firing] = await delivered('task_failed', 'tasks.sleep', 'firing');
    expect(firing).toMatchObject({
      alert: 'task_failed',
      subject: 'tasks.sleep',
      status: 'firing',
      message: expect.stringMatching(/^tasks\.sleep failed: SoftTimeLimitExceeded/),
      details: expect.objectContaining({ failures: expect.any(Number) }),
    });
    expect(Date.parse(String(firing.since))).not.toBeNaN();
    expect(firing.at).toBe(firing.since);
    // the webhook answered the first attempt 500: the same notice came again, and was taken
    const attempts = webhook.posts.filter((p) => p.body.id === firing.id);
    expect(attempts.map((p) => p.status)).toEqual([500, 200]);

    const samples = await scrape();
    expect(
      sampleValue(samples, 'codehubot_alert_firing', { alert: 'task_failed', subject: 'tasks.sleep' }),
    ).toBe(1);
    expect(sampleValue(samples, 'codehubot_alerts_total', { alert: 'task_failed' })).toBe(1);

    // more failures of the same task: the same incident
    const more = await Promise.all([1, 2].map(() => submit('tasks.sleep', { args: [3] })));
    for (const id of more) await system.waitForState(id, FINAL, 60_000);
    const ok = await submit('tasks.sleep', { args: [0] });
    expect((await system.waitForState(ok, FINAL, 30_000)).state).toBe('SUCCESS');

    const [resolved] = await delivered('task_failed', 'tasks.sleep', 'resolved');
    expect(resolved).toMatchObject({
      status: 'resolved',
      since: firing.since,
      message: 'tasks.sleep: succeeded again',
    });
    expect(Date.parse(String(resolved.at))).toBeGreaterThanOrEqual(Date.parse(String(firing.since)));
    expect(webhook.delivered('task_failed', 'tasks.sleep').map((n) => n.status)).toEqual([
      'firing',
      'resolved',
    ]);

    const after = await scrape();
    expect(
      sampleValue(after, 'codehubot_alert_firing', { alert: 'task_failed', subject: 'tasks.sleep' }),
    ).toBe(undefined);
    expect(sampleValue(after, 'codehubot_alerts_total', { alert: 'task_failed' })).toBe(1);
    expect(logs()).toMatch(/alert firing: task_failed \[tasks\.sleep\]/);
    expect(logs()).toMatch(/alert resolved: task_failed \[tasks\.sleep\] tasks\.sleep: succeeded again/);
  });

  it('queue_unattended and queue_wait fire for a queue nobody consumes, and resolve once a worker takes it', async () => {
    const mails = await Promise.all(
      [1, 2].map(() => submit('tasks.email.send_email', { args: ['a@example.com', 'hello', 'body'] })),
    );
    const [wait] = await delivered('queue_wait', 'email', 'firing');
    expect(wait).toMatchObject({
      message: expect.stringMatching(/^queue email: the next task has waited \d+\.\d s \(over 1 s\)$/),
      details: expect.objectContaining({ threshold_s: 1, waiting: 2 }),
    });
    const [unattended] = await delivered('queue_unattended', 'email', 'firing');
    expect(unattended).toMatchObject({
      message: 'queue email: 2 task(s) waiting and no live worker consumes it',
      details: { waiting: 2 },
    });
    const firing = await scrape();
    for (const alert of ['queue_wait', 'queue_unattended']) {
      expect(sampleValue(firing, 'codehubot_alert_firing', { alert, subject: 'email' })).toBe(1);
      expect(sampleValue(firing, 'codehubot_alerts_total', { alert })).toBe(1);
    }

    await startWorker(system, ['--queues', 'email']);
    for (const id of mails) expect((await system.waitForState(id, FINAL, 60_000)).state).toBe('SUCCESS');
    await delivered('queue_unattended', 'email', 'resolved');
    await delivered('queue_wait', 'email', 'resolved');
    for (const alert of ['queue_wait', 'queue_unattended']) {
      expect(webhook.delivered(alert, 'email').map((n) => n.status)).toEqual(['firing', 'resolved']);
    }
    const resolved = await scrape();
    expect(sampleValue(resolved, 'codehubot_alert_firing', { alert: 'queue_wait', subject: 'email' })).toBe(
      undefined,
    );
    // the queue the first worker consumes never alerted: it was attended and its tasks ran at once
    expect(webhook.posts.filter((p) => p.body.subject === 'default')).toEqual([]);
  });
});
