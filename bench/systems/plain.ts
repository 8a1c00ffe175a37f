import { Queue } from 'bullmq';
import { freePort } from '../../test/utils/free-port.js';
import { BenchProcess } from '../node-process.js';
import {
  BENCH_QUEUE,
  type BenchEnv,
  type Producer,
  type RestTarget,
  type SystemUnderTest,
} from './system.js';

function plainEnv(env: BenchEnv): Record<string, string> {
  return { BENCH_REDIS_URL: env.redisUrl, BENCH_PREFIX: env.prefix, BENCH_QUEUE };
}

/** Plain BullMQ 6 with its defaults: `Queue.add`, a `Worker` returning x + y, a bare NestJS route. */
export const plain: SystemUnderTest = {
  key: 'plain',
  label: 'plain BullMQ',

  producer(env: BenchEnv): Promise<Producer> {
    const queue = new Queue(BENCH_QUEUE, { connection: { url: env.redisUrl }, prefix: env.prefix });
    return Promise.resolve({
      add: async (x, y) => (await queue.add('add', { x, y })).id ?? '',
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

  async startApi(env: BenchEnv): Promise<RestTarget> {
    const port = await freePort();
    const api = new BenchProcess(
      'bench/bare-api.js',
      [],
      { ...plainEnv(env), PORT: String(port) },
      env.nodeArgs,
    );
    await api.waitForOutput(/bare api listening/);
    return {
      process: api,
      url: `http://127.0.0.1:${port}/tasks/tasks.add`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ x: 4, y: 4 }),
    };
  },
};
