/**
 * The plain BullMQ side of the benchmark: one `Worker` whose processor returns x + y, in its own process as
 * our worker is. `node dist/bench/plain-worker.js` with BENCH_REDIS_URL, BENCH_PREFIX, BENCH_QUEUE and
 * BENCH_CONCURRENCY; prints "plain worker ready <BullMQ worker id>" once it takes jobs and closes gracefully on
 * SIGTERM. BENCH_HOLD_MS (for `npm run bench:recovery`): each job holds its worker that long before it answers.
 */
import { Worker, type Job } from 'bullmq';
import { setTimeout as sleep } from 'node:timers/promises';

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

const add = (job: Job<AddData>): Promise<number> => {
  const { x, y } = job.data.kwargs ?? job.data;
  return Promise.resolve(x + y);
};
const holdMs = Number(process.env.BENCH_HOLD_MS ?? 0);
const hold = async (job: Job<AddData>): Promise<number> => {
  await sleep(holdMs);
  return add(job);
};

const worker = new Worker<AddData, number>(env('BENCH_QUEUE'), holdMs > 0 ? hold : add, {
  connection: { url: env('BENCH_REDIS_URL'), maxRetriesPerRequest: null },
  prefix: env('BENCH_PREFIX'),
  concurrency: Number(env('BENCH_CONCURRENCY')),
});
worker.on('error', (error) => process.stderr.write(`plain worker: ${error.message}\n`));

await worker.waitUntilReady();
process.stdout.write(`plain worker ready ${worker.id}\n`);

const stop = (): void => {
  void worker.close().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
