import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { TestSmtpServer } from '../utils/smtp.js';
import { TestSystem } from '../utils/test-system.js';

const BOUNCE = 'nobody@bounce.example';
const FLAKY = 'student@flaky.example';

/**
 * `tasks.email.send_email` through a real worker to a real SMTP server in the test process. The server accepts
 * every recipient but two: BOUNCE is refused for good (550), FLAKY is refused once for now (451) and then
 * accepted. The harness sets TASK_DEFAULT_RETRY_DELAY=1, so a retry comes after a second.
 */
describe('tasks.email.send_email over SMTP', () => {
  let system: TestSystem;
  let smtp: TestSmtpServer;

  beforeAll(async () => {
    smtp = await TestSmtpServer.start({
      rcpt: (address, attempt) => {
        if (address === BOUNCE) return 550;
        if (address === FLAKY && attempt === 1) return 451;
        return undefined;
      },
    });
    system = await TestSystem.start();
    await system.startWorker(['--queues', 'email', '--concurrency', '2'], { SMTP_URL: smtp.url });
  }, 180_000);

  afterAll(async () => {
    await system?.stop();
    await smtp?.close();
  });

  it('delivers the mail: the server receives exactly that recipient, subject and body', async () => {
    const to = 'teacher@school.example';
    const subject = 'Your document is ready: 第 3 课 (lesson 3)';
    const body = 'Hello,\n\nthe embeddings of "第三课.pdf" are ready.\nChunks: 42 — enjoy!\n';
    const submitted = await system.submit('tasks.email.send_email', { args: [to, subject, body] });
    expect(submitted.status).toBe(202);

    const done = await system.waitForState(submitted.body.task_id, ['SUCCESS', 'FAILURE'], 30_000);
    expect(done).toMatchObject({
      state: 'SUCCESS',
      name: 'tasks.email.send_email',
      queue: 'email',
      retries: 0,
      result: { status: 'success', to },
    });

    const [mail, ...more] = await smtp.waitForMessages(to);
    expect(more).toHaveLength(0);
    expect(mail.to).toEqual([to]);
    expect(mail.headers.get('to')).toContain(to);
    expect(mail.subject).toBe(subject);
    expect(mail.text.replace(/\n$/, '')).toBe(body.replace(/\n$/, ''));
  });

  it('fails at once, without retrying, when the server refuses the recipient for good (550)', async () => {
    const submitted = await system.submit('tasks.email.send_email', {
      kwargs: { to: BOUNCE, subject: 'Bounce', body: 'This address does not exist.' },
    });
    expect(submitted.status).toBe(202);

    const done = await system.waitForState(submitted.body.task_id, ['SUCCESS', 'FAILURE'], 30_000);
    expect(done.state).toBe('FAILURE');
    expect(done.retries).toBe(0);
    expect(done.error).toMatch(/550/);

    // the retry delay is 1 s: had it been treated as temporary, a second RCPT TO would come within 1-2 s
    await sleep(3_000);
    expect(smtp.rcptAttempts.filter((a) => a.address === BOUNCE)).toEqual([{ address: BOUNCE, code: 550 }]);
    expect(smtp.messagesTo(BOUNCE)).toHaveLength(0);
    expect((await system.status(submitted.body.task_id)).body).toMatchObject({
      state: 'FAILURE',
      retries: 0,
    });
  });

  it('retries a temporary refusal (451) and then delivers once', async () => {
    const submitted = await system.submit('tasks.email.send_email', {
      args: [FLAKY, 'Retry me', 'The first attempt is refused with 451.'],
    });
    expect(submitted.status).toBe(202);

    const done = await system.waitForState(submitted.body.task_id, ['SUCCESS', 'FAILURE'], 45_000);
    expect(done).toMatchObject({ state: 'SUCCESS', result: { status: 'success', to: FLAKY } });
    expect(done.retries).toBeGreaterThanOrEqual(1);

    const attempts = smtp.rcptAttempts.filter((a) => a.address === FLAKY);
    expect(attempts[0]).toEqual({ address: FLAKY, code: 451 });
    expect(attempts.at(-1)).toEqual({ address: FLAKY, code: 250 });
    const mails = await smtp.waitForMessages(FLAKY);
    expect(mails).toHaveLength(1);
    expect(mails[0].subject).toBe('Retry me');
    expect(mails[0].text.trimEnd()).toBe('The first attempt is refused with 451.');
  });
});
