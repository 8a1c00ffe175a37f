/**
 * `npm run bench:recovery`: how fast a worker starts, and how fast a dead worker's task runs again, for our
 * `codehubot worker` (default settings) and, for context, plain BullMQ with its defaults, on one private Redis.
 *
 * - Start-up: from spawn to "consuming" (ours) / "ready" (plain), and to our heartbeat being in Redis (what
 *   `GET /workers` lists).
 * - Recovery: one worker holds a long task; it is killed with SIGKILL; the time from the kill until the task
 *   is active again on a live worker (BullMQ's `ats`, attempts started, goes from 1 to 2). Two set-ups: a second
 *   worker already runs (replicas), or a replacement is started at the moment of the kill (one replica).
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { TestRedis } from '../test/utils/redis-server.js';
import { currentLoad, describeMachine } from './machine.js';
import { writeMarkdown } from './markdown-file.js';
import { BenchProcess, ROOT_DIR } from './node-process.js';
import { median, percentileOfSorted } from './stats.js';

const QUEUE = 'recovery';
const log = (message: string): void => void process.stderr.write(`${message}\n`);

interface Options {
  startups: number;
  kills: number;
  plainKills: number;
  out: string | undefined;
}

function options(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      startups: { type: 'string' },
      kills: { type: 'string' },
      'plain-kills': { type: 'string' },
      out: { type: 'string' },
      'no-docs': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(
      'npm run bench:recovery -- [--startups N (10)] [--kills N (20)] [--plain-kills N (3)] [--out PATH | --no-docs]\n',
    );
    process.exit(0);
  }
  const count = (name: string, raw: string | undefined, fallback: number, min: number): number => {
    const n = raw === undefined ? fallback : Number(raw);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number ≥ ${min}`);
    return n;
  };
  return {
    startups: count('startups', values.startups, 10, 1),
    kills: count('kills', values.kills, 20, 1),
    plainKills: count('plain-kills', values['plain-kills'], 3, 0),
    out: values['no-docs'] ? undefined : (values.out ?? 'docs/BENCHMARKS-recovery.md'),
  };
}

/** One kind of worker under test: how to start it and how to give it a task that holds it. */
interface Contender {
  label: string;
  start(prefix: string, dir: string): Promise<BenchProcess>;
  /** Queues one long task; answers its job id. */
  submit(queue: Queue): Promise<string>;
}

const ours: Contender = {
  label: 'ours (codehubot worker, defaults)',
  async start(prefix, dir) {
    const worker = new BenchProcess('apps/worker/main.js', ['worker', '--queues', QUEUE], {
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: prefix,
      DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`,
      MAIL_OUTBOX_DIR: join(dir, 'outbox'),
      API_KEYS: 'bench',
    });
    await worker.waitForOutput(/consuming \[/);
    return worker;
  },
  async submit(queue) {
    const id = randomUUID();
    await queue.add('tasks.long_running_task', { kwargs: { total_steps: 3600 } }, { jobId: id });
    return id;
  },
};

const plain: Contender = {
  label: 'plain BullMQ 6 (defaults)',
  async start(prefix) {
    const worker = new BenchProcess('bench/plain-worker.js', [], {
      BENCH_REDIS_URL: redisUrl,
      BENCH_PREFIX: prefix,
      BENCH_QUEUE: QUEUE,
      BENCH_CONCURRENCY: '10',
      BENCH_HOLD_MS: String(3_600_000),
    });
    await worker.waitForOutput(/plain worker ready/);
    return worker;
  },
  async submit(queue) {
    return (await queue.add('hold', { x: 1, y: 2 })).id ?? '';
  },
};

let redisUrl = '';

/** Polls every 10 ms until `probe` is true; the time it took in ms, or NaN after `timeoutMs`. */
async function timeUntil(probe: () => Promise<boolean>, since: number, timeoutMs: number): Promise<number> {
  while (performance.now() - since < timeoutMs) {
    if (await probe()) return performance.now() - since;
    await sleep(10);
  }
  return NaN;
}

interface StartupResult {
  consuming: number[];
  listed: number[];
}

async function measureStartups(
  contender: Contender,
  n: number,
  redis: Redis,
  dir: string,
  heartbeat: boolean,
): Promise<StartupResult> {
  const result: StartupResult = { consuming: [], listed: [] };
  for (let i = 0; i < n; i++) {
    const prefix = `startup-${randomUUID().slice(0, 8)}`;
    const t0 = performance.now();
    const starting = contender.start(prefix, join(dir, prefix));
    // our heartbeat key, as `GET /workers` reads it
    const listed = heartbeat
      ? timeUntil(async () => (await redis.keys(`${prefix}:_worker:*`)).length > 0, t0, 30_000)
      : Promise.resolve(NaN);
    const worker = await starting;
    result.consuming.push(performance.now() - t0);
    result.listed.push(await listed);
    await worker.stop('SIGKILL');
    log(`  start-up ${i + 1}/${n}: ${result.consuming.at(-1)?.toFixed(0)} ms consuming`);
  }
  return result;
}

/**
 * `kills` times: the only worker takes a long task; with `spare`, a second worker is started and ready before
 * the kill, otherwise it is started at the moment of the kill; the holder is killed with SIGKILL, and the time
 * until the task is active again is measured. The spare then holds the next task.
 */
async function measureRecovery(
  contender: Contender,
  kills: number,
  spare: boolean,
  redis: Redis,
  dir: string,
): Promise<number[]> {
  const prefix = `recovery-${randomUUID().slice(0, 8)}`;
  const queue = new Queue(QUEUE, { connection: { url: redisUrl }, prefix });
  const attemptsStarted = async (id: string): Promise<number> =>
    Number((await redis.hget(`${prefix}:${QUEUE}:${id}`, 'ats')) ?? 0);
  const times: number[] = [];
  let holder = await contender.start(prefix, dir);
  try {
    for (let k = 1; k <= kills; k++) {
      const id = await contender.submit(queue);
      await timeUntil(async () => (await attemptsStarted(id)) >= 1, performance.now(), 30_000);
      const next = spare ? await contender.start(prefix, dir) : undefined;
      // kill at a varying moment of the heartbeat and lock-renewal cycles
      await sleep(500 + ((k * 397) % 2000));
      const t0 = performance.now();
      await holder.stop('SIGKILL');
      const replacement = next ?? (await contender.start(prefix, dir));
      const ms = await timeUntil(async () => (await attemptsStarted(id)) >= 2, t0, 300_000);
      times.push(ms);
      holder = replacement;
      log(
        `  ${contender.label}, ${spare ? 'spare running' : 'replacement'}: kill ${k}/${kills}: ${ms.toFixed(0)} ms`,
      );
    }
  } finally {
    await holder.stop('SIGKILL');
    await queue.close();
  }
  return times;
}

const ms = (v: number): string => (Number.isFinite(v) ? `${Math.round(v).toLocaleString('en-US')}` : '–');

function summary(values: number[]): { median: number; p95: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: median(values), p95: percentileOfSorted(sorted, 95), max: sorted.at(-1) ?? NaN };
}

function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

async function main(): Promise<void> {
  const o = options(process.argv.slice(2));
  const startedAt = Date.now();
  const server = await TestRedis.start();
  redisUrl = server.url;
  const redis = server.client();
  mkdirSync(resolve(ROOT_DIR, 'var'), { recursive: true });
  const dir = mkdtempSync(resolve(ROOT_DIR, 'var', 'bench-recovery-'));
  try {
    const machine = await describeMachine(redis);
    log(`bench:recovery on ${machine.cpus} CPUs, load ${machine.loadAtStart.toFixed(2)}`);
    const startOurs = await measureStartups(ours, o.startups, redis, dir, true);
    const startPlain = await measureStartups(plain, o.startups, redis, dir, false);
    const withSpare = await measureRecovery(ours, o.kills, true, redis, dir);
    const withReplacement = await measureRecovery(ours, o.kills, false, redis, dir);
    const plainSpare = o.plainKills > 0 ? await measureRecovery(plain, o.plainKills, true, redis, dir) : [];
    machine.loadAtEnd = currentLoad();

    const lines = [
      '| measurement | runs | median ms | p95 ms | max ms |',
      '| --- | ---: | ---: | ---: | ---: |',
      ...(
        [
          ['ours: spawn → consuming', startOurs.consuming],
          ['ours: spawn → heartbeat in Redis (listed by GET /workers)', startOurs.listed],
          ['plain BullMQ: spawn → ready', startPlain.consuming],
          ['ours: kill → task running again, second worker running', withSpare],
          ['ours: kill → task running again, replacement started at the kill', withReplacement],
          ['plain BullMQ: kill → task running again, second worker running', plainSpare],
        ] as const
      )
        .filter(([, values]) => values.length > 0)
        .map(([label, values]) => {
          const s = summary(values);
          return row([label, String(values.length), ms(s.median), ms(s.p95), ms(s.max)]);
        }),
    ];
    process.stdout.write(`\n${lines.join('\n')}\n`);
    if (o.out) {
      const argv = process.argv.slice(2).join(' ');
      const every = (label: string, values: number[]): string =>
        `- ${label}: ${values.map((v) => ms(v)).join(', ')}`;
      const markdown = [
        '# Benchmarks: worker start-up and crash recovery',
        '',
        'Produced by `bench/recovery.ts` (issue #9); regenerate with:',
        '',
        '```sh',
        `npm run bench:recovery${argv ? ` -- ${argv}` : ''}`,
        '```',
        '',
        `## Results (${new Date().toISOString().slice(0, 10)})`,
        '',
        `Machine: ${machine.cpus} CPUs, ${machine.cpuModel}; Node ${machine.node}; Redis ${machine.redis}; BullMQ`,
        `${machine.bullmq}. Load ${machine.loadAtStart.toFixed(2)} at the start, ${(machine.loadAtEnd ?? NaN).toFixed(2)} at the end of the`,
        `${((Date.now() - startedAt) / 60_000).toFixed(1)}-minute run.`,
        '',
        ...lines,
        '',
        '## Every run (ms)',
        '',
        every('ours, spawn → consuming', startOurs.consuming),
        every('ours, spawn → heartbeat', startOurs.listed),
        every('plain, spawn → ready', startPlain.consuming),
        every('ours, kill → running again (second worker running)', withSpare),
        every('ours, kill → running again (replacement at the kill)', withReplacement),
        every('plain, kill → running again (second worker running)', plainSpare),
        '',
        '## How',
        '',
        '- Start-up: `codehubot worker --queues recovery` with default settings (thread pool of `nproc` threads)',
        '  spawned as a child process; "consuming" is its log line, "heartbeat" the moment its',
        '  `<prefix>:_worker:<id>` key exists (polled every 10 ms). Plain: a bare BullMQ `Worker` process until',
        '  `waitUntilReady()`.',
        '- Recovery: the only worker takes `tasks.long_running_task(3600)` (plain: a job that sleeps an hour); it is',
        '  killed with SIGKILL 0.5–2.5 s later (the moment varies against the heartbeat and lock cycles); the time',
        '  runs from the kill until the job\u2019s `ats` (attempts started) reaches 2, polled every 10 ms: the task',
        '  is active on a live worker again. All settings are the defaults: `WORKER_DEAD_AFTER` 10 s (ours), lock',
        '  duration and stalled interval 30 s (both).',
        '',
      ].join('\n');
      await writeMarkdown(o.out, markdown);
      log(`\nwritten to ${o.out}`);
    }
  } finally {
    redis.disconnect();
    await server.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench:recovery failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
