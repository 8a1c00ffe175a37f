import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { Add, chain, s, si, TasksModule, WorkflowClient, WorkflowStatusReader } from '@app/tasks';
import type { Redis } from 'ioredis';
import type { TaskEnvelope } from '../../libs/tasks/src/core/envelope.js';
import { WorkflowEngine } from '../../libs/tasks/src/workflows/workflow-engine.js';
import { TestRedis } from '../utils/redis-server.js';

@Module({
  imports: [ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true }), TasksModule.forProducer()],
})
class ProducerModule {}

const prefix = 'wf-status-test';

/**
 * A member that fails for good ends its workflow before BullMQ marks its job failed (so that a crash in between
 * repeats the step). A status read in that window must not say the workflow failed while the member runs.
 */
describe('workflow status between a member failing and its job being marked (real Redis, no worker)', () => {
  let server: TestRedis;
  let redis: Redis;
  let app: INestApplicationContext;

  beforeAll(async () => {
    server = await TestRedis.start();
    redis = server.client();
    Object.assign(process.env, { REDIS_URL: server.url, QUEUE_PREFIX: prefix });
    delete process.env.TASK_ROUTES;
    app = await NestFactory.createApplicationContext(ProducerModule, { logger: ['error'] });
    await app.init();
  });

  afterAll(async () => {
    await app?.close().catch(() => undefined);
    redis?.disconnect();
    await server?.destroy();
  });

  it('names the member that ended the workflow by its state, and the members after it revoked', async () => {
    const handle = await app
      .get(WorkflowClient)
      .submit(chain(s(Add, { x: 1, y: 2 }), si(Add, { x: 3, y: 4 })));
    const reader = app.get(WorkflowStatusReader);
    const [first] = (await reader.status(handle.id))?.members ?? [];
    expect(first).toBeDefined();
    // the first member is running: a worker took its job
    const jobKey = `${prefix}:default:${first?.task_id ?? ''}`;
    await redis.hset(jobKey, 'processedOn', Date.now());
    const envelope = JSON.parse((await redis.hget(jobKey, 'data')) ?? '{}') as TaskEnvelope;
    expect(envelope.wf).toBeDefined();
    if (!envelope.wf) return;

    // its code failed for good: the workflow ends first, its job is still active
    await app.get(WorkflowEngine).memberFailed(envelope.wf, new Error('boom'));

    const status = await reader.status(handle.id);
    expect(status?.state).toBe('FAILURE');
    expect(status?.members?.map((m) => [m.name, m.state])).toEqual([
      ['tasks.add', 'FAILURE'],
      ['tasks.add', 'REVOKED'],
    ]);
  });
});
