/**
 * The plain BullMQ side of the benchmark: one `Worker` whose processor returns x + y, in its own process as
 * our worker is. `node dist/bench/plain-worker.js` with BENCH_REDIS_URL, BENCH_PREFIX, BENCH_QUEUE and
 * BENCH_CONCURRENCY; prints "plain worker ready" once it takes jobs and closes gracefully on SIGTERM.
 */
import { Worker, type Job } from 'bullmq';

interface AddData {
  x: number;
  y: number;
  /** Set when the job is one of ours (`npm run bench:shape` gives plain BullMQ our jobs). */
  kwargs?: { x: number; y: number };
}

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const worker = new Worker<AddData, number>(
  env('BENCH_QUEUE'),
  (job: Job<AddData>) => {
    const { x, y } = job.data.kwargs ?? job.data;
    return Promise.resolve(x + y);
  },
  {
    connection: { url: env('BENCH_REDIS_URL'), maxRetriesPerRequest: null },
    prefix: env('BENCH_PREFIX'),
    concurrency: Number(env('BENCH_CONCURRENCY')),
  },
);
worker.on('error', (error) => process.stderr.write(`plain worker: ${error.message}\n`));

await worker.waitUntilReady();
process.stdout.write('plain worker ready\n');

const stop = (): void => {
  void worker.close().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
