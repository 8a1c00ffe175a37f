import { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { BenchProcess } from '../node-process.js';
import { QueueProbe } from '../queue-probe.js';
import {
  BENCH_QUEUE,
  type BenchEnv,
  type BatchProducer,
  type Producer,
  type RestTarget,
  type SystemUnderTest,
  startRestTarget,
} from './system.js';

function plainEnv(env: BenchEnv): Record<string, string> {
  return { BENCH_REDIS_URL: env.redisUrl, BENCH_PREFIX: env.prefix, BENCH_QUEUE };
}

/**
 * BENCH_PLAIN_IDS=uuid: plain BullMQ jobs get a random UUID `jobId`, as every task of ours has (Celery's task
 * ids), for context: it shows what such ids cost BullMQ itself. Default: BullMQ's own counter ids.
 */
const UUID_IDS = process.env.BENCH_PLAIN_IDS === 'uuid';
const jobOptions = (): { jobId: string } | undefined => (UUID_IDS ? { jobId: randomUUID() } : undefined);

/** Plain BullMQ 6 with its defaults: `Queue.add`, a `Worker` returning x + y, a bare NestJS route. */
export const plain: SystemUnderTest = {
  key: 'plain',
  label: 'plain BullMQ',

  producer(env: BenchEnv): Promise<Producer> {
    const queue = new Queue(BENCH_QUEUE, { connection: { url: env.redisUrl }, prefix: env.prefix });
    return Promise.resolve({
      add: async (x, y) => (await queue.add('add', { x, y }, jobOptions())).id ?? '',
      close: () => queue.close(),
    });
  },

  async startWorker(env: BenchEnv, concurrency: number): Promise<BenchProcess> {
    const worker = new BenchProcess(
      'bench/plain-worker.js',
      [],
      { ...plainEnv(env), BENCH_CONCURRENCY: String(concurrency) },
      env.nodeArgs,
    );
    await worker.waitForOutput(/plain worker ready/);
    return worker;
  },

  startApi(env: BenchEnv): Promise<RestTarget> {
    return startRestTarget('bench/bare-api.js', plainEnv(env), env.nodeArgs, /bare api listening/, {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ x: 4, y: 4 }),
    });
  },

  /** `Queue.addBulk` of `count` jobs `add {x: i, y: 1}`: one MULTI, as BullMQ does it; done when all completed. */
  batchProducer(env: BenchEnv): Promise<BatchProducer> {
    const queue = new Queue(BENCH_QUEUE, { connection: { url: env.redisUrl }, prefix: env.prefix });
    const probe = new QueueProbe(env.redisUrl, env.prefix, BENCH_QUEUE);
    return Promise.resolve({
      async submit(count: number) {
        const before = await probe.completedCount();
        const jobs = await queue.addBulk(
          Array.from({ length: count }, (_, i) => ({
            name: 'add',
            data: { x: i, y: 1 },
            opts: jobOptions(),
          })),
        );
        return {
          end: (timeoutMs: number) => probe.waitForCompleted(before + count, timeoutMs),
          keys: () => Promise.resolve({ jobs: jobs.map((job) => `${env.prefix}:${BENCH_QUEUE}:${job.id}`) }),
        };
      },
      async close() {
        await queue.close();
        await probe.close();
      },
    });
  },
};
