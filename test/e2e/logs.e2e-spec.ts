import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppProcess } from '../utils/app-process.js';
import { logLines, parseLogLine, waitForLogLine, type LogLine } from '../utils/log-lines.js';
import { E2E_TIMEOUT_MS, STARTUP_TIMEOUT_MS, waitForWorker } from '../utils/runtime-helpers.js';
import { TestSmtpServer } from '../utils/smtp.js';
import { API_KEY, TestSystem } from '../utils/test-system.js';

jest.setTimeout(E2E_TIMEOUT_MS);

const API_SECRET = 'sk-test-secret-4f1b9e27c0';
const SMTP_PASSWORD = 'smtp-secret-pw';
const TASK_API_KEY = 'sk-live-kwarg-7d3a90';
const TASK_PASSWORD = 'kwarg-password-51c8';
const SECRETS = [API_SECRET, SMTP_PASSWORD, TASK_API_KEY, TASK_PASSWORD];
const BOUNCE = 'nobody@bounce.example';

const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

/** The worker's lines about one task. */
function taskLines(output: string, id: string): LogLine[] {
  return logLines(output).filter((line) => line.task_id === id);
}

/**
 * Logs from outside the processes: the built API and workers write JSON lines (LOG_FORMAT=json) with the
 * fields the docs promise, a request id follows a task into the worker, one line per task event, and no secret
 * (API key, SMTP password, task arguments) in any line of any process.
 */
describe('logs: JSON lines, request ids, per-task lines, no secrets', () => {
  let system: TestSystem;
  let smtp: TestSmtpServer;
  let worker: AppProcess;
  let quiet: AppProcess;
  let quietLog: string;
  /** The quiet worker's log file, read as it grows. */
  const quietFile = {
    get output(): string {
      return existsSync(quietLog) ? readFileSync(quietLog, 'utf8') : '';
    },
  };

  beforeAll(async () => {
    smtp = await TestSmtpServer.start({
      auth: { user: 'mailer', pass: SMTP_PASSWORD },
      rcpt: (address) => (address === BOUNCE ? 550 : undefined),
    });
    system = await TestSystem.start({ env: { LOG_FORMAT: 'json', API_KEYS: `${API_KEY},${API_SECRET}` } });
    const smtpUrl = `smtp://mailer:${SMTP_PASSWORD}@127.0.0.1:${smtp.port}`;
    // at debug: the `started` lines too
    worker = await system.startWorker(
      ['--queues', 'default,email', '--pool', 'inline', '--loglevel', 'debug'],
      {
        SMTP_URL: smtpUrl,
      },
    );
    quietLog = join(system.dir, 'quiet', 'worker.log');
    quiet = new AppProcess(
      'worker',
      ['worker', '--queues', 'quiet', '--pool-size', '1', '--loglevel', 'warn', '--logfile', quietLog],
      system.env({ SMTP_URL: smtpUrl }),
    );
    system.workers.push(quiet);
    // it says nothing at warn until something goes wrong: ready once its heartbeat lists it
    await waitForWorker(system, quiet.pid, () => true, STARTUP_TIMEOUT_MS);
  }, 180_000);

  afterAll(async () => {
    await system?.stop();
    await smtp?.close();
  });

  it('echoes X-Request-Id, and the worker lines of the task it queued carry it', async () => {
    const answer = await system.request<{ task_id: string }>(
      'POST',
      '/tasks/tasks.add',
      { args: [1, 2] },
      {
        'x-request-id': 'abc-123',
      },
    );
    expect(answer.status).toBe(202);
    expect(answer.headers.get('x-request-id')).toBe('abc-123');
    const id = answer.body.task_id;
    await system.waitForState(id, 'SUCCESS');
    const done = await waitForLogLine(worker, (l) => l.task_id === id && /succeeded/.test(l.msg));
    expect(done.msg).toMatch(new RegExp(`^Task tasks\\.add\\[${id}\\] succeeded in \\d+ ms: 3$`));

    const lines = taskLines(worker.output, id);
    expect(lines.map((l) => [l.level, l.msg.replace(/^Task \S+ /, '').split(' ')[0]])).toEqual([
      ['info', 'received'],
      ['debug', 'started'],
      ['info', 'succeeded'],
    ]);
    for (const line of lines) {
      expect(line).toMatchObject({
        task_id: id,
        task_name: 'tasks.add',
        queue: 'default',
        request_id: 'abc-123',
        context: 'TaskLifecycle',
      });
      expect(line.worker).toMatch(/:\d+$/);
      expect(line.time).toMatch(ISO_TIME);
    }
    const access = await waitForLogLine(
      system.api!,
      (l) => l.request_id === 'abc-123' && l.context === 'HTTP',
    );
    expect(access).toMatchObject({ level: 'info', method: 'POST', url: '/tasks/tasks.add', status: 202 });
    expect(access.msg).toMatch(/^POST \/tasks\/tasks\.add 202 [\d.]+ ms$/);
  });

  it('passes the request id to the first tasks of a workflow the request queued', async () => {
    const answer = await system.request<{ task_id: string }>(
      'POST',
      '/workflows',
      {
        group: [
          { task: 'tasks.add', args: [1, 1] },
          { task: 'tasks.add', args: [2, 2] },
        ],
      },
      { 'x-request-id': 'wf-req-7' },
    );
    expect(answer.status).toBe(202);
    await system.waitForState(answer.body.task_id, 'SUCCESS');
    const done = await system.request<{ members: { task_id: string }[] }>(
      'GET',
      `/tasks/${answer.body.task_id}`,
    );
    expect(done.body.members).toHaveLength(2);
    for (const { task_id } of done.body.members) {
      const line = await waitForLogLine(worker, (l) => l.task_id === task_id && /succeeded/.test(l.msg));
      expect(line.request_id).toBe('wf-req-7');
    }
  });

  it('makes up a request id when none (or an unfit one) is given', async () => {
    const none = await system.request('GET', '/health');
    expect(none.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const unfit = await system.request('GET', '/health', undefined, { 'x-request-id': 'x'.repeat(129) });
    expect(unfit.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const spaced = await system.request('GET', '/health', undefined, { 'x-request-id': 'a b' });
    expect(spaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('writes a retry line with the reason, then the success', async () => {
    const { body } = await system.submit('tasks.flaky', { kwargs: { failures: 1, value: 'ok' } });
    await system.waitForState(body.task_id, 'SUCCESS');
    await waitForLogLine(worker, (l) => l.task_id === body.task_id && /succeeded/.test(l.msg));
    const retry = taskLines(worker.output, body.task_id).find((l) => /retry/.test(l.msg));
    expect(retry).toMatchObject({ level: 'warn', task_name: 'tasks.flaky', attempt: 1 });
    expect(retry?.msg).toMatch(/^Task tasks\.flaky\[[^\]]+\] retry in 0\.2 s: \w*Error: .+/);
  });

  it('writes a failed line at error level with the traceback', async () => {
    const { body } = await system.submit('tasks.fail', { kwargs: { message: 'boom on purpose' } });
    await system.waitForState(body.task_id, 'FAILURE');
    const failed = await waitForLogLine(worker, (l) => l.task_id === body.task_id && /failed/.test(l.msg));
    expect(failed).toMatchObject({ level: 'error', task_name: 'tasks.fail', queue: 'default' });
    expect(failed.msg).toMatch(/failed: \w*Error: boom on purpose$/);
    expect(failed.err?.stack).toMatch(/boom on purpose\n\s+at /);
  });

  it('sends mail with a password in SMTP_URL, fails a refused one, and keeps task arguments out', async () => {
    const sent = await system.submit('tasks.email.send_email', {
      args: ['teacher@school.example', 'Hello', 'Body'],
    });
    const bounced = await system.submit('tasks.email.send_email', { args: [BOUNCE, 'Bounce', 'Body'] });
    const secretArgs = await system.submit('tasks.process_data', {
      kwargs: { data: { api_key: TASK_API_KEY, password: TASK_PASSWORD, note: 'hello' } },
    });
    // the same key as a Bearer token: it is one of API_KEYS
    const withSecretKey = await system.request('GET', `/health?api_key=${API_SECRET}`, undefined, {
      authorization: `Bearer ${API_SECRET}`,
    });
    expect(withSecretKey.status).toBe(200);
    expect(await system.waitForState(sent.body.task_id, ['SUCCESS', 'FAILURE'], 30_000)).toMatchObject({
      state: 'SUCCESS',
    });
    expect((await system.waitForState(bounced.body.task_id, ['SUCCESS', 'FAILURE'], 30_000)).state).toBe(
      'FAILURE',
    );
    expect((await system.waitForState(secretArgs.body.task_id, ['SUCCESS', 'FAILURE'])).state).toBe(
      'SUCCESS',
    );
    expect(smtp.messagesTo('teacher@school.example')).toHaveLength(1);
    await waitForLogLine(worker, (l) => l.task_id === bounced.body.task_id && l.level === 'error');
    await waitForLogLine(worker, (l) => l.task_id === secretArgs.body.task_id && /succeeded/.test(l.msg));
  });

  it('with --loglevel warn drops the per-task info lines, keeps failures, and writes to --logfile', async () => {
    const added = await system.submit('tasks.add', { args: [2, 2], queue: 'quiet' });
    const failed = await system.submit('tasks.fail', {
      kwargs: { message: 'quiet failure' },
      queue: 'quiet',
    });
    await system.waitForState(added.body.task_id, 'SUCCESS');
    await system.waitForState(failed.body.task_id, 'FAILURE');
    await waitForLogLine(quietFile, (l) => l.task_id === failed.body.task_id && l.level === 'error');
    await sleep(300);
    const lines = logLines(quietFile.output);
    expect(lines.filter((l) => l.task_id === added.body.task_id)).toEqual([]);
    expect(lines.every((l) => ['warn', 'error', 'fatal'].includes(l.level))).toBe(true);
    // nothing on stdout: the file has it all
    expect(logLines(quiet.output)).toEqual([]);
  });

  it('writes only JSON lines with time, level and msg, and no secret anywhere', () => {
    // the quiet worker's stdout is empty (its lines are in its file), but checked all the same
    const outputs = [system.api!.output, worker.output, quietFile.output, quiet.output];
    expect(outputs.map((output) => output.length > 0)).toEqual([true, true, true, false]);
    for (const output of outputs) {
      const raw = output.split('\n').filter((line) => line.trim() !== '');
      // every line a JSON log line: nothing printed around the logger
      expect(raw.filter((line) => !parseLogLine(line))).toEqual([]);
      const parsed = logLines(output);
      for (const line of parsed) {
        expect(line.time).toMatch(ISO_TIME);
        expect(LEVELS).toContain(line.level);
        expect(typeof line.msg).toBe('string');
      }
      for (const secret of SECRETS) expect(output).not.toContain(secret);
    }
    const apiLines = logLines(system.api!.output);
    expect(apiLines.some((l) => l.context === 'Api' && /listening on/.test(l.msg))).toBe(true);
    const redacted = apiLines.find(
      (l) => l.context === 'HTTP' && typeof l.url === 'string' && l.url.includes('api_key'),
    );
    expect(redacted?.url).toMatch(/api_key=\*\*\*$/);
  });

  it('refuses a bad LOG_LEVEL at start-up, naming it', async () => {
    const bad = new AppProcess('worker', ['worker'], system.env({ LOG_LEVEL: 'loud' }));
    expect(await bad.exited).toBe(1);
    expect(bad.output).toMatch(
      /LOG_LEVEL: must be one of trace, debug, info, warn, error, fatal \(got "loud"\)/,
    );
  });
});
