import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { getFlowProducerToken, getQueueToken, InjectFlowProducer, InjectQueue } from '@nestjs/bullmq';
import { Injectable, type INestApplicationContext } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import {
  Add,
  configuredQueueNames,
  PRODUCER_REDIS,
  QueueRegistry,
  TaskClient,
  TasksModule,
  TaskWorkerService,
  WORKFLOWS_FLOW_PRODUCER,
} from '@app/tasks';
import type { FlowProducer, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { workerOptions } from '../../apps/worker/src/cli/worker.command.js';
import { WorkerModule } from '../../apps/worker/src/worker.module.js';
import { TestRedis } from '../utils/redis-server.js';

/** Application code that takes BullMQ objects by injection token, as a dashboard module would. */
@Injectable()
class QueueUser {
  constructor(
    @InjectQueue('embedding') readonly embedding: Queue,
    @InjectFlowProducer(WORKFLOWS_FLOW_PRODUCER) readonly flows: FlowProducer,
  ) {}
}

/** Clients connected to the server, apart from the test's own assertion client. */
async function otherClients(assertions: Redis): Promise<string[]> {
  const list = (await assertions.client('LIST')) as string;
  const own = String(await assertions.client('ID'));
  return list
    .trim()
    .split('\n')
    .filter((line) => !line.startsWith(`id=${own} `));
}

describe('@nestjs/bullmq registrations share QueueRegistry queues (real Redis)', () => {
  let redis: TestRedis;
  let assertions: Redis;
  const dir = mkdtempSync(join(tmpdir(), 'codehubot-nestbull-'));

  beforeAll(async () => {
    redis = await TestRedis.start();
    assertions = redis.client();
    Object.assign(process.env, {
      REDIS_URL: redis.url,
      MAIL_OUTBOX_DIR: join(dir, 'outbox'),
    });
    delete process.env.TASK_ROUTES;
  });

  afterAll(async () => {
    assertions?.disconnect();
    await redis?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('producer form', () => {
    let app: INestApplicationContext;
    let registry: QueueRegistry;
    let user: QueueUser;
    const prefix = `nb-${randomUUID().slice(0, 8)}`;

    beforeAll(async () => {
      process.env.QUEUE_PREFIX = prefix;
      const moduleRef = await Test.createTestingModule({
        imports: [ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true }), TasksModule.forProducer()],
        providers: [QueueUser],
      }).compile();
      app = await moduleRef.init();
      registry = app.get(QueueRegistry);
      user = app.get(QueueUser);
    });

    afterAll(async () => {
      await app?.close();
    });

    it('injects, for each configured queue, the very Queue the registry hands out', () => {
      expect(user.embedding).toBe(registry.get('embedding'));
      expect(registry.router.knownQueues().sort()).toEqual(['default', 'email', 'embedding']);
      for (const name of registry.router.knownQueues()) {
        const injected = app.get<Queue>(getQueueToken(name), { strict: false });
        expect(injected.name).toBe(name);
        expect(registry.get(name)).toBe(injected);
      }
    });

    it('still makes queues named only at run time, once each', () => {
      const adhoc = registry.get('nb-adhoc');
      expect(adhoc.name).toBe('nb-adhoc');
      expect(registry.get('nb-adhoc')).toBe(adhoc);
      expect(() => {
        app.get<Queue>(getQueueToken('nb-adhoc'), { strict: false });
      }).toThrow();
    });

    it('a job added through the injected queue is the one the registry reads, under our prefix', async () => {
      const job = await user.embedding.add('nb.probe', { n: 1 }, { jobId: `probe-${randomUUID()}` });
      const seen = await registry.get('embedding').getJob(job.id!);
      expect(seen?.name).toBe('nb.probe');
      expect(seen?.data).toEqual({ n: 1 });
      expect(await assertions.exists(`${prefix}:embedding:${job.id!}`)).toBe(1);
    });

    it('resolves the flow producer token and adds a flow over the configured queues', async () => {
      expect(app.get(getFlowProducerToken(WORKFLOWS_FLOW_PRODUCER), { strict: false })).toBe(user.flows);
      const tree = await user.flows.add({
        name: 'nb.parent',
        queueName: 'default',
        data: { step: 'report' },
        children: [
          { name: 'nb.child', queueName: 'embedding', data: { doc: 1 } },
          { name: 'nb.child', queueName: 'embedding', data: { doc: 2 } },
        ],
      });
      const parent = await registry.get('default').getJob(tree.job.id!);
      expect(parent?.name).toBe('nb.parent');
      expect(await parent?.getState()).toBe('waiting-children');
      expect(await parent?.getDependenciesCount()).toEqual(expect.objectContaining({ unprocessed: 2 }));
      const children = await Promise.all(
        (tree.children ?? []).map((child) => registry.get('embedding').getJob(child.job.id!)),
      );
      expect(children.map((child) => child?.data as unknown).sort()).toEqual([{ doc: 1 }, { doc: 2 }]);
      expect(await assertions.exists(`${prefix}:default:${tree.job.id!}`)).toBe(1);
    });

    it('uses one Redis connection for every queue and the flow producer: the producer one', async () => {
      const clients = await otherClients(assertions);
      expect(clients).toHaveLength(1);
      expect(clients[0]).toMatch(/ name=codehubot:producer /);
    });

    it('closes each queue and the flow producer once, before the shared connection, on shutdown', async () => {
      const queues = registry.router.knownQueues().map((name) => registry.get(name));
      queues.push(registry.get('nb-adhoc'));
      const order: string[] = [];
      const closes = queues.map((queue) => {
        const close = queue.close.bind(queue);
        return jest.spyOn(queue, 'close').mockImplementation(async () => {
          order.push(`queue:${queue.name}`);
          await close();
        });
      });
      const flowClose = jest.spyOn(user.flows, 'close');
      const connection = app.get<Redis>(PRODUCER_REDIS);
      const quitConnection = connection.quit.bind(connection);
      const quit = jest.spyOn(connection, 'quit').mockImplementation(() => {
        order.push('connection');
        return quitConnection();
      });
      await app.close();
      app = undefined as unknown as INestApplicationContext;
      for (const close of closes) expect(close).toHaveBeenCalledTimes(1);
      expect(flowClose).toHaveBeenCalledTimes(1);
      expect(quit).toHaveBeenCalledTimes(1);
      expect(order.at(-1)).toBe('connection');
      expect(order.filter((o) => o.startsWith('queue:'))).toHaveLength(queues.length);
    });
  });

  describe('worker form', () => {
    let app: INestApplicationContext;
    const prefix = `nbw-${randomUUID().slice(0, 8)}`;

    beforeAll(async () => {
      process.env.QUEUE_PREFIX = prefix;
      const moduleRef = await Test.createTestingModule({
        imports: [
          WorkerModule.forRoot({
            ...workerOptions({ pool: 'inline', concurrency: 2, queues: 'default,nb-extra' }),
            name: 'nestbull-test',
          }),
        ],
      }).compile();
      app = await moduleRef.init();
    });

    afterAll(async () => {
      await app?.close();
    });

    it('registers the queues the worker consumes; our dispatcher consumes the registered Queue', async () => {
      const registry = app.get(QueueRegistry);
      const extra = app.get<Queue>(getQueueToken('nb-extra'), { strict: false });
      expect(registry.get('nb-extra')).toBe(extra);
      // jobs are added in a MULTI on the registered Queue's own client (JobWriter), not through Queue.add
      const ready = jest.spyOn(extra, 'waitUntilReady');
      const handle = await app.get(TaskClient).submit(Add, { x: 2, y: 3 }, { queue: 'nb-extra' });
      expect(ready).toHaveBeenCalled();
      expect(await handle.get(20)).toBe(5);
      expect((await extra.getJob(handle.id))?.returnvalue).toBe(5);
    });

    it('closes the queues only after the warm shutdown of the consumer', async () => {
      const registry = app.get(QueueRegistry);
      const worker = app.get(TaskWorkerService);
      const order: string[] = [];
      const stop = worker.onApplicationShutdown.bind(worker);
      jest.spyOn(worker, 'onApplicationShutdown').mockImplementation(async () => {
        await stop();
        order.push('worker');
      });
      const closes = ['default', 'nb-extra'].map((name) => {
        const queue = registry.get(name);
        const close = queue.close.bind(queue);
        return jest.spyOn(queue, 'close').mockImplementation(async () => {
          order.push(`queue:${name}`);
          await close();
        });
      });
      await app.close();
      app = undefined as unknown as INestApplicationContext;
      for (const close of closes) expect(close).toHaveBeenCalledTimes(1);
      expect(order[0]).toBe('worker');
      expect(order.slice(1).sort()).toEqual(['queue:default', 'queue:nb-extra']);
    });
  });
});

describe('configuredQueueNames', () => {
  it('reads the routing table as the settings do, plus the queues given', () => {
    expect(configuredQueueNames([], {}).sort()).toEqual(['default', 'email', 'embedding']);
    expect(configuredQueueNames(['x'], { TASK_ROUTES: 'tasks.add=math' })).toEqual(['default', 'math', 'x']);
  });

  it('falls back to the default table on a bad TASK_ROUTES (the settings check refuses it at boot)', () => {
    expect(configuredQueueNames([], { TASK_ROUTES: 'no-equals-sign' }).sort()).toEqual([
      'default',
      'email',
      'embedding',
    ]);
  });
});
