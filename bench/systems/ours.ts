import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import type { Redis } from 'ioredis';
import { once } from 'node:events';
import { join } from 'node:path';
import { Add, PRODUCER_REDIS, TaskClient, TasksModule } from '@app/tasks';
import { BenchProcess } from '../node-process.js';
import {
  BENCH_QUEUE,
  type BenchEnv,
  type Producer,
  type RestTarget,
  type SystemUnderTest,
  startRestTarget,
} from './system.js';

const API_KEY = 'bench-key';

/** The producer side exactly as the apps wire it: `TasksModule.forProducer()`, configured from the environment. */
@Module({
  imports: [ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true }), TasksModule.forProducer()],
})
class BenchProducerModule {}

/** The settings every process of ours gets for one measurement. */
function appEnv(env: BenchEnv): Record<string, string> {
  return {
    REDIS_URL: env.redisUrl,
    QUEUE_PREFIX: env.prefix,
    DATABASE_URL: `sqlite:${join(env.dir, 'api.sqlite')}`,
    MAIL_OUTBOX_DIR: join(env.dir, 'outbox'),
    API_KEYS: API_KEY,
  };
}

/** Our system: `TaskClient.submit(Add, …)` (validated), the `codehubot worker` command and the REST API. */
export const ours: SystemUnderTest = {
  key: 'ours',
  label: 'ours (TaskClient + codehubot worker)',

  async producer(env: BenchEnv): Promise<Producer> {
    // the config is read from the environment when the module starts, as in the apps
    Object.assign(process.env, appEnv(env));
    const app = await NestFactory.createApplicationContext(BenchProducerModule, {
      logger: ['error', 'warn'],
    });
    const client = app.get(TaskClient);
    // the producer connection fails fast instead of queueing commands (the API's choice): let it connect first
    const redis = app.get<Redis>(PRODUCER_REDIS);
    if (redis.status !== 'ready') await once(redis, 'ready');
    return {
      add: async (x, y) => (await client.submit(Add, { x, y })).id,
      close: () => app.close(),
    };
  },

  async startWorker(env: BenchEnv, concurrency: number): Promise<BenchProcess> {
    const args = ['worker', '--queues', BENCH_QUEUE, '--concurrency', String(concurrency)];
    const worker = new BenchProcess('apps/worker/main.js', args, appEnv(env), env.nodeArgs);
    // steady state: the executor threads boot in the background after "consuming" (start-up is measured by
    // `npm run bench:recovery`), and their boot must not be counted in the throughput or CPU per task
    await worker.waitForOutput(/executor ready/);
    return worker;
  },

  startApi(env: BenchEnv): Promise<RestTarget> {
    return startRestTarget('apps/api/main.js', appEnv(env), env.nodeArgs, /listening on/, {
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ args: [4, 4] }),
    });
  },
};
