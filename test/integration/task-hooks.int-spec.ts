import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Injectable, type INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  Add,
  OnTaskFailure,
  OnTaskRetry,
  OnTaskSuccess,
  SendEmail,
  TaskClient,
  TaskFailedError,
  type TaskEventInfo,
} from '@app/tasks';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { workerOptions } from '../../apps/worker/src/cli/worker.command.js';
import { WorkerModule } from '../../apps/worker/src/worker.module.js';
import { freePort } from '../utils/free-port.js';
import { TestRedis } from '../utils/redis-server.js';

@Injectable()
class RecordingHooks {
  readonly seen: { outcome: string; info: TaskEventInfo }[] = [];

  @OnTaskSuccess()
  success(info: TaskEventInfo): void {
    this.seen.push({ outcome: 'success', info });
  }

  @OnTaskFailure(SendEmail)
  failure(info: TaskEventInfo): void {
    this.seen.push({ outcome: 'failure', info });
  }

  @OnTaskRetry()
  retry(info: TaskEventInfo): void {
    this.seen.push({ outcome: 'retry', info });
  }

  @OnTaskSuccess(SendEmail)
  broken(): void {
    throw new Error('a hook that throws must not change the outcome');
  }
}

async function until(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(25);
  }
}

/** The worker's module in-process (inline pool), with a provider declaring Celery-style lifecycle hooks. */
describe('task lifecycle hooks (in-process worker, real Redis)', () => {
  let redis: TestRedis;
  let app: INestApplicationContext;
  let hooks: RecordingHooks;
  let client: TaskClient;
  const dir = mkdtempSync(join(tmpdir(), 'codehubot-hooks-'));

  beforeAll(async () => {
    redis = await TestRedis.start();
    Object.assign(process.env, {
      REDIS_URL: redis.url,
      QUEUE_PREFIX: `test-${randomUUID().slice(0, 8)}`,
      SMTP_URL: `smtp://127.0.0.1:${await freePort()}`,
      MAIL_OUTBOX_DIR: join(dir, 'outbox'),
      TASK_DEFAULT_RETRY_DELAY: '0',
    });
    const moduleRef = await Test.createTestingModule({
      imports: [
        WorkerModule.forRoot({ ...workerOptions({ pool: 'inline', concurrency: 4 }), name: 'hooks-test' }),
      ],
      providers: [RecordingHooks],
    }).compile();
    app = await moduleRef.init();
    hooks = app.get(RecordingHooks);
    client = app.get(TaskClient);
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await redis?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('calls the success hook with the result, after BullMQ stored it', async () => {
    const handle = await client.submit(Add, { x: 2, y: 3 });
    expect(await handle.get(20)).toBe(5);
    await until(() => hooks.seen.some((s) => s.info.id === handle.id));
    const seen = hooks.seen.filter((s) => s.info.id === handle.id);
    expect(seen).toEqual([
      {
        outcome: 'success',
        info: expect.objectContaining({
          name: 'tasks.add',
          queue: 'default',
          retries: 0,
          result: 5,
          payload: { x: 2, y: 3 },
        }),
      },
    ]);
  });

  it('calls retry hooks for each retry and the failure hook once, at the end', async () => {
    const handle = await client.submit(SendEmail, { to: 'a@example.com', subject: 's', body: 'b' });
    await expect(handle.get(30)).rejects.toBeInstanceOf(TaskFailedError);
    await until(() => hooks.seen.some((s) => s.info.id === handle.id && s.outcome === 'failure'));
    const outcomes = hooks.seen.filter((s) => s.info.id === handle.id).map((s) => s.outcome);
    expect(outcomes).toEqual(['retry', 'retry', 'retry', 'failure']);
    const failure = hooks.seen.find((s) => s.info.id === handle.id && s.outcome === 'failure');
    expect(failure?.info.retries).toBe(3);
    expect(failure?.info.error?.message).toMatch(/ECONNREFUSED|connect/i);
  });
});
