import Database from 'better-sqlite3';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { Redis as RedisClient, type Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import {
  Add,
  compareStreamIds,
  group,
  PRODUCER_REDIS,
  s,
  TaskClient,
  TasksModule,
  WorkflowClient,
  type Canvas,
  type TaskNode,
} from '@app/tasks';
import { BenchProcess } from '../node-process.js';
import {
  BENCH_QUEUE,
  type BenchEnv,
  type Batch,
  type Producer,
  type RestTarget,
  type SystemUnderTest,
  type WorkflowProducer,
  startRestTarget,
} from './system.js';

const API_KEY = 'bench-key';

/** The producer side exactly as the apps wire it: `TasksModule.forProducer()`, configured from the environment. */
@Module({
  imports: [ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true }), TasksModule.forProducer()],
})
class BenchProducerModule {}

const databaseFile = (env: BenchEnv): string => join(env.dir, 'api.sqlite');
/** A worker's events reach the stream within its flush interval (50 ms) of the task's end. */
const LAST_FLUSH_MS = 200;

/** The settings every process of ours gets for one measurement. */
function appEnv(env: BenchEnv): Record<string, string> {
  return {
    REDIS_URL: env.redisUrl,
    QUEUE_PREFIX: env.prefix,
    DATABASE_URL: `sqlite:${databaseFile(env)}`,
    MAIL_OUTBOX_DIR: join(env.dir, 'outbox'),
    API_KEYS: API_KEY,
    ...(env.observability === 'off'
      ? { HISTORY_ENABLED: 'false', METRICS_ENABLED: 'false', LOG_LEVEL: 'warn' }
      : {}),
  };
}

/**
 * Steady state: the executor threads boot in the background after "consuming" (start-up is measured by
 * `npm run bench:recovery`), and their boot must not be counted in the throughput or CPU per task.
 */
async function workerReady(worker: BenchProcess, env: BenchEnv): Promise<void> {
  if (env.observability !== 'off') {
    await worker.waitForOutput(/executor ready/);
    return;
  }
  // LOG_LEVEL=warn hides that line: wait for the worker's heartbeat (the scenario then waits until it is idle,
  // its threads booted)
  const redis = new RedisClient(env.redisUrl);
  try {
    while ((await redis.zcard(`${env.prefix}:_workers`)) === 0) await sleep(50);
  } finally {
    redis.disconnect();
  }
}

/** The producer side in the bench process, connected: the apps' module, configured from `env`. */
async function producerApp(env: BenchEnv): Promise<INestApplicationContext> {
  // the config is read from the environment when the module starts, as in the apps; then the bench's own
  // environment is put back, or the next measurement's processes (spawned with it) would inherit these
  // settings (an API started after the observability-off run stayed at LOG_LEVEL=warn, silent)
  const settings = appEnv(env);
  const saved = Object.fromEntries(Object.keys(settings).map((key) => [key, process.env[key]]));
  Object.assign(process.env, settings);
  let app: INestApplicationContext;
  try {
    app = await NestFactory.createApplicationContext(BenchProducerModule, { logger: ['error', 'warn'] });
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
  // the producer connection fails fast instead of queueing commands (the API's choice): let it connect first
  const redis = app.get<Redis>(PRODUCER_REDIS);
  if (redis.status !== 'ready') await once(redis, 'ready');
  return app;
}

/** Workflows through `WorkflowClient.submit(canvas)`, waited for as a caller would: `AsyncResult.get`. */
async function workflowProducer(env: BenchEnv): Promise<WorkflowProducer> {
  const app = await producerApp(env);
  const client = app.get(WorkflowClient);
  const redis = app.get<Redis>(PRODUCER_REDIS);
  return {
    async submit(canvas: Canvas, expected: unknown): Promise<Batch> {
      const handle = await client.submit(canvas);
      // the workflow's hash (libs/tasks/src/core/keys.ts): its plan names each member's queue and job id
      const workflow = `${env.prefix}:_wf:${handle.id}`;
      return {
        async end(timeoutMs) {
          const result = await handle.get(timeoutMs / 1000);
          if (!isDeepStrictEqual(result, expected))
            throw new Error(
              `workflow ${handle.id}: unexpected result ${JSON.stringify(result).slice(0, 200)}`,
            );
          const doneAt = (await handle.status()).date_done;
          if (doneAt === undefined) throw new Error(`workflow ${handle.id}: no date_done`);
          return Date.parse(doneAt);
        },
        async keys() {
          const tasks = JSON.parse((await redis.hget(workflow, 't')) ?? '[]') as number[];
          const nodes = tasks.length > 0 ? await redis.hmget(workflow, ...tasks.map((i) => `n:${i}`)) : [];
          const jobs = nodes.map((raw) => {
            const node = JSON.parse(raw ?? '{}') as TaskNode;
            return `${env.prefix}:${node.q}:${node.id}`;
          });
          return { jobs, workflow };
        },
      };
    },
    close: () => app.close(),
  };
}

/** Our system: `TaskClient.submit(Add, …)` (validated), the `codehubot worker` command and the REST API. */
export const ours: SystemUnderTest = {
  key: 'ours',
  label: 'ours (TaskClient + codehubot worker)',

  async producer(env: BenchEnv): Promise<Producer> {
    const app = await producerApp(env);
    const client = app.get(TaskClient);
    return {
      add: async (x, y) => (await client.submit(Add, { x, y })).id,
      close: () => app.close(),
    };
  },

  async startWorker(env: BenchEnv, concurrency: number): Promise<BenchProcess> {
    const args = ['worker', '--queues', BENCH_QUEUE, '--concurrency', String(concurrency)];
    const worker = new BenchProcess('apps/worker/main.js', args, appEnv(env), env.nodeArgs);
    try {
      await workerReady(worker, env);
    } catch (error) {
      // a worker that did not start must not outlive the bench (it kept the bench process from exiting)
      await worker.stop();
      throw error;
    }
    return worker;
  },

  async startCompanions(env: BenchEnv): Promise<BenchProcess[]> {
    if (env.observability === 'off') return [];
    return [(await this.startApi(env)).process];
  },

  async historyRecordedAt(env: BenchEnv): Promise<number | undefined> {
    if (env.observability === 'off') return undefined;
    await sleep(LAST_FLUSH_MS);
    const redis = new RedisClient(env.redisUrl);
    const db = new Database(databaseFile(env), { readonly: true, fileMustExist: true });
    try {
      const [[last] = []] = await redis.xrevrange(`${env.prefix}:_events`, '+', '-', 'COUNT', 1);
      const cursor = db.prepare(`SELECT stream_id FROM task_history_cursor WHERE name = 'history'`);
      const deadline = Date.now() + 300_000;
      while (Date.now() < deadline) {
        const at = (cursor.get() as { stream_id: string } | undefined)?.stream_id ?? '0-0';
        if (last === undefined || compareStreamIds(at, last) >= 0) return Date.now();
        await sleep(20);
      }
      throw new Error('the history did not catch up within 5 minutes');
    } finally {
      db.close();
      redis.disconnect();
    }
  },

  startApi(env: BenchEnv): Promise<RestTarget> {
    return startRestTarget('apps/api/main.js', appEnv(env), env.nodeArgs, /listening on/, {
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ args: [4, 4] }),
    });
  },

  /** One workflow: a group of `tasks.add(i, 1)`, whose result is the list of their results, in order. */
  async batchProducer(env: BenchEnv) {
    const workflows = await workflowProducer(env);
    return {
      submit(count: number) {
        // `.s()`, as a group's members usually are: at the head of a workflow there is no previous result to receive
        const members = Array.from({ length: count }, (_, i) => s(Add, { x: i, y: 1 }));
        return workflows.submit(
          group(...members),
          members.map((_, i) => i + 1),
        );
      },
      close: () => workflows.close(),
    };
  },

  workflowProducer,
};
