/**
 * `npm run bench:shape`: what the shape of our jobs costs, apart from our consumer. The same no-op tasks are
 * pre-filled in one of three shapes and processed by plain BullMQ's worker or by ours (one process,
 * concurrency 10), the cases alternating within each repetition:
 *
 *   plain worker · BullMQ ids    `add {x, y}` with BullMQ's counter ids (the main bench's baseline)
 *   plain worker · UUID ids      the same with a random UUID `jobId`, as every task of ours has
 *   plain worker · our jobs      exactly what `TaskClient.submit(Add, …)` queues: `tasks.add`, a UUID id and
 *                                the `{kwargs, schema}` envelope
 *   our worker · our jobs        the `codehubot worker` on those jobs
 *
 * The third against the fourth compares the consumers on identical jobs; the first against the third is what
 * the job's shape costs BullMQ itself. Besides tasks/s and worker CPU it reads Redis's own time in its Lua
 * scripts (`INFO commandstats`, evalsha), which a busy machine disturbs less than rates.
 */
import { Queue } from 'bullmq';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Add, payloadSchema } from '@app/tasks';
import { TestRedis } from '../test/utils/redis-server.js';
import { ROOT_DIR } from './node-process.js';
import { QueueProbe } from './queue-probe.js';
import { drainPrefilled, type ProcessingResult } from './scenarios/processing.js';
import { median } from './stats.js';
import { ours } from './systems/ours.js';
import { plain } from './systems/plain.js';
import { BENCH_QUEUE, type BenchEnv, type SystemUnderTest } from './systems/system.js';

interface ShapeCase {
  label: string;
  consumer: SystemUnderTest;
  job: (i: number) => { name: string; data: object; opts: { jobId?: string } };
}

const ourJob = (i: number): ReturnType<ShapeCase['job']> => ({
  name: Add.name,
  data: { kwargs: { x: i, y: 1 }, schema: payloadSchema(Add) },
  opts: { jobId: randomUUID() },
});

const CASES: ShapeCase[] = [
  {
    label: 'plain worker · BullMQ ids',
    consumer: plain,
    job: (i) => ({ name: 'add', data: { x: i, y: 1 }, opts: {} }),
  },
  {
    label: 'plain worker · UUID ids',
    consumer: plain,
    job: (i) => ({ name: 'add', data: { x: i, y: 1 }, opts: { jobId: randomUUID() } }),
  },
  { label: 'plain worker · our jobs', consumer: plain, job: ourJob },
  { label: 'our worker · our jobs', consumer: ours, job: ourJob },
];

const CONCURRENCY = 10;
const FILL_BATCH = 1_000;

/** `count` tasks of the given shape added in bulk to the paused queue, then drained by its consumer. */
async function measure(shape: ShapeCase, env: BenchEnv, count: number): Promise<ProcessingResult> {
  const queue = new Queue(BENCH_QUEUE, { connection: { url: env.redisUrl }, prefix: env.prefix });
  const probe = new QueueProbe(env.redisUrl, env.prefix, BENCH_QUEUE);
  try {
    await probe.pause();
    for (let first = 0; first < count; first += FILL_BATCH) {
      const size = Math.min(FILL_BATCH, count - first);
      await queue.addBulk(Array.from({ length: size }, (_, k) => shape.job(first + k)));
    }
    return await drainPrefilled(shape.consumer, env, probe, count, CONCURRENCY);
  } finally {
    await probe.close();
    await queue.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { tasks: { type: 'string', default: '100000' }, reps: { type: 'string', default: '5' } },
  });
  const count = Number(values.tasks);
  const reps = Number(values.reps);
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(reps) || reps < 1) {
    throw new Error('--tasks and --reps take positive integers');
  }
  const server = await TestRedis.start();
  const redis = server.client();
  mkdirSync(resolve(ROOT_DIR, 'var'), { recursive: true });
  const dir = mkdtempSync(resolve(ROOT_DIR, 'var', 'bench-shape-'));
  const results = new Map<ShapeCase, ProcessingResult[]>(CASES.map((c) => [c, []]));
  try {
    for (let rep = 1; rep <= reps; rep++) {
      // alternate the order, so that a drift in the machine's load weighs on every case alike
      for (const shape of rep % 2 ? CASES : [...CASES].reverse()) {
        const name = `shape-${rep}-${CASES.indexOf(shape)}`;
        const env: BenchEnv = { redisUrl: server.url, prefix: name, dir: join(dir, name), nodeArgs: [] };
        mkdirSync(env.dir, { recursive: true });
        const r = await measure(shape, env, count);
        results.get(shape)?.push(r);
        process.stderr.write(
          `  [run ${rep}/${reps}] ${shape.label.padEnd(26)} ${r.tasksPerSec.toFixed(0)} tasks/s, worker ${r.cpuMicrosPerTask.toFixed(1)} µs, scripts ${r.redis.scriptMicrosPer.toFixed(2)} µs per task\n`,
        );
        await redis.flushall();
      }
    }
    const base = median(results.get(CASES[0])?.map((r) => r.tasksPerSec) ?? []);
    process.stdout.write(
      `\n${'case (medians)'.padEnd(26)}  tasks/s  vs first  worker µs/task  Redis script µs/task\n`,
    );
    for (const [shape, runs] of results) {
      const rate = median(runs.map((r) => r.tasksPerSec));
      process.stdout.write(
        `${shape.label.padEnd(26)}  ${rate.toFixed(0).padStart(7)}  ${(rate / base).toFixed(2).padStart(7)}×  ` +
          `${median(runs.map((r) => r.cpuMicrosPerTask))
            .toFixed(1)
            .padStart(14)}  ` +
          `${median(runs.map((r) => r.redis.scriptMicrosPer))
            .toFixed(2)
            .padStart(20)}\n`,
      );
    }
  } finally {
    redis.disconnect();
    await server.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:shape failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
