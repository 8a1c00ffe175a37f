/**
 * `npm run bench:beat`: exactly-once periodic ticks under a crash. Three `codehubot beat` replicas run a
 * one-second schedule (`tasks.add`, overlap allowed) for `--seconds` (300); half-way one of them is killed with
 * SIGKILL and started again. Then every job the schedule queued is read from Redis: duplicate ticks (more
 * than one run for one nominal time), missed ticks (a nominal second between the first and the last with no
 * job), and the delay from each tick's nominal time to the start of its task (BullMQ's `processedOn`).
 */
import { Queue } from 'bullmq';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { freePort } from '../test/utils/free-port.js';
import { TestRedis } from '../test/utils/redis-server.js';
import { currentLoad, describeMachine } from './machine.js';
import { writeMarkdown } from './markdown-file.js';
import { BenchProcess, ROOT_DIR } from './node-process.js';
import { percentileOfSorted } from './stats.js';

const log = (message: string): void => void process.stderr.write(`${message}\n`);
const KEY = 'bench-key';
const SCHEDULE = 'bench-every-second';

function options(argv: string[]): { seconds: number; out: string | undefined } {
  const { values } = parseArgs({
    args: argv,
    options: {
      seconds: { type: 'string' },
      out: { type: 'string' },
      'no-docs': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write('npm run bench:beat -- [--seconds N (300)] [--out PATH | --no-docs]\n');
    process.exit(0);
  }
  const seconds = values.seconds === undefined ? 300 : Number(values.seconds);
  if (!Number.isInteger(seconds) || seconds < 10) throw new Error('--seconds must be a whole number ≥ 10');
  return { seconds, out: values['no-docs'] ? undefined : (values.out ?? 'docs/BENCHMARKS-beat.md') };
}

interface Tick {
  nominal: number;
  /** When the beat added its job (BullMQ's `timestamp`, the beat's clock). */
  queued: number;
  started: number;
  runs: number;
}

async function main(): Promise<void> {
  const o = options(process.argv.slice(2));
  const server = await TestRedis.start();
  const redis = server.client();
  mkdirSync(resolve(ROOT_DIR, 'var'), { recursive: true });
  const dir = mkdtempSync(resolve(ROOT_DIR, 'var', 'bench-beat-'));
  const prefix = 'bench-beat';
  const env = {
    REDIS_URL: server.url,
    QUEUE_PREFIX: prefix,
    DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`,
    MAIL_OUTBOX_DIR: join(dir, 'outbox'),
    API_KEYS: KEY,
    LOG_LEVEL: 'warn',
  };
  const processes: BenchProcess[] = [];
  const start = async (script: string, args: string[], ready: RegExp, extra = {}): Promise<BenchProcess> => {
    const p = new BenchProcess(script, args, { ...env, ...extra });
    processes.push(p);
    await p.waitForOutput(ready, 120_000);
    return p;
  };
  const queue = new Queue('default', { connection: { url: server.url }, prefix });
  try {
    const machine = await describeMachine(redis);
    const port = await freePort();
    await start('apps/api/main.js', [], /listening on/, { PORT: String(port), LOG_LEVEL: 'info' });
    await start(
      'apps/worker/main.js',
      ['worker', '--pool', 'inline', '--concurrency', '50'],
      /consuming \[/,
      {
        LOG_LEVEL: 'info',
      },
    );
    const api = (path: string, body?: unknown): Promise<Response> =>
      fetch(`http://127.0.0.1:${port}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const beat = (): Promise<BenchProcess> =>
      start('apps/worker/main.js', ['beat'], /beat started/, { LOG_LEVEL: 'info' });
    const beats = await Promise.all([beat(), beat(), beat()]);
    const added = await api('/schedules', {
      name: SCHEDULE,
      task: 'tasks.add',
      args: [1, 2],
      every: 1,
      overlap: 'allow',
    });
    if (added.status !== 201)
      throw new Error(`POST /schedules answered ${added.status}: ${await added.text()}`);
    const t0 = Date.now();
    log(`bench:beat: 3 beats, a 1-second schedule for ${o.seconds} s`);
    await sleep((o.seconds * 1000) / 2);
    await beats[1].stop('SIGKILL');
    const killedAt = Date.now();
    log(
      `  beat ${beats[1].pid} killed with SIGKILL at ${((killedAt - t0) / 1000).toFixed(1)} s; restarting it`,
    );
    beats[1] = await beat();
    log(`  restarted beat ${beats[1].pid} ready at ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    await sleep(Math.max(0, t0 + o.seconds * 1000 - Date.now()));
    await api(`/schedules/${SCHEDULE}/pause`);
    await sleep(3000);
    machine.loadAtEnd = currentLoad();

    const jobs = await queue.getJobs(['completed', 'failed', 'active', 'waiting', 'delayed'], 0, -1);
    const ticks = new Map<number, Tick>();
    for (const job of jobs) {
      const sched = (job.data as { sched?: { name: string; at: number } }).sched;
      if (sched?.name !== SCHEDULE) continue;
      const runs = Number((await redis.hget(`${prefix}:default:${job.id ?? ''}`, 'ats')) ?? 1);
      const tick = ticks.get(sched.at);
      if (tick) tick.runs += runs;
      else {
        ticks.set(sched.at, {
          nominal: sched.at,
          queued: job.timestamp,
          started: job.processedOn ?? NaN,
          runs,
        });
      }
    }
    const nominals = [...ticks.keys()].sort((a, b) => a - b);
    const first = nominals[0] ?? 0;
    const last = nominals.at(-1) ?? 0;
    const expected = nominals.length > 0 ? (last - first) / 1000 + 1 : 0;
    const duplicates = [...ticks.values()].reduce((n, t) => n + Math.max(0, t.runs - 1), 0);
    const missed = expected - ticks.size;
    const sorted = (f: (t: Tick) => number): number[] =>
      [...ticks.values()]
        .map(f)
        .filter(Number.isFinite)
        .sort((a, b) => a - b);
    const delays = sorted((t) => t.started - t.nominal);
    const p = (q: number, of = delays): string => `${Math.round(percentileOfSorted(of, q))}`;
    const max = (of: number[]): string => `${Math.round(of.at(-1) ?? NaN)}`;
    const rows = [
      '| ticks | duplicates | missed | delay p50 ms | delay p99 ms | delay max ms |',
      '| ---: | ---: | ---: | ---: | ---: | ---: |',
      `| ${ticks.size} | ${duplicates} | ${missed} | ${p(50)} | ${p(99)} | ${max(delays)} |`,
    ];
    // where the delay goes: the beat (nominal time → job added) and the worker (added → started)
    const beatPart = sorted((t) => t.queued - t.nominal);
    const workerPart = sorted((t) => t.started - t.queued);
    const split = [
      '| part | p50 ms | p99 ms | max ms |',
      '| --- | ---: | ---: | ---: |',
      `| beat: nominal time → job added | ${p(50, beatPart)} | ${p(99, beatPart)} | ${max(beatPart)} |`,
      `| worker: job added → task started | ${p(50, workerPart)} | ${p(99, workerPart)} | ${max(workerPart)} |`,
    ];
    process.stdout.write(`\n${rows.join('\n')}\n\n${split.join('\n')}\n`);
    const slowest = [...ticks.values()]
      .filter((t) => t.started - t.nominal > 100)
      .sort((a, b) => a.nominal - b.nominal);
    for (const t of slowest) {
      log(
        `  slow tick at ${((t.nominal - t0) / 1000).toFixed(0)} s: beat ${t.queued - t.nominal} ms, worker ${t.started - t.queued} ms`,
      );
    }
    if (o.out) {
      const argv = process.argv.slice(2).join(' ');
      await writeMarkdown(
        o.out,
        [
          '# Benchmarks: periodic ticks, exactly once, under a crash',
          '',
          'Produced by `bench/beat.ts`; regenerate with:',
          '',
          '```sh',
          `npm run bench:beat${argv ? ` -- ${argv}` : ''}`,
          '```',
          '',
          `## Results (${new Date().toISOString().slice(0, 10)})`,
          '',
          `Machine: ${machine.cpus} CPUs, ${machine.cpuModel}; Node ${machine.node}; Redis ${machine.redis}; BullMQ`,
          `${machine.bullmq}. Load ${machine.loadAtStart.toFixed(2)} at the start, ${(machine.loadAtEnd ?? NaN).toFixed(2)} at the end.`,
          '',
          ...rows,
          '',
          'Where the delay goes:',
          '',
          ...split,
          '',
          '## How',
          '',
          `- One private Redis, SQLite; the API, one \`codehubot worker --pool inline --concurrency 50\`, and three`,
          `  \`codehubot beat\` processes on this machine. \`POST /schedules\` adds \`tasks.add(1, 2)\` every second with`,
          `  \`overlap: allow\`. After ${o.seconds / 2} s one beat is killed with SIGKILL and started again; after`,
          `  ${o.seconds} s the schedule is paused.`,
          '- Every job the schedule queued is read back from Redis: its tick (`data.sched.at`, the nominal time),',
          '  its runs (BullMQ\u2019s attempts started) and its start (`processedOn`). Duplicates: runs beyond one per',
          '  nominal time. Missed: nominal seconds between the first tick and the last with no job. Delay: from the',
          '  nominal time to the start of the task on the worker (the beat wakes at the nominal time, queues, the',
          '  worker takes it), so it includes the queueing and the pick-up; split in two at the job\u2019s',
          '  `timestamp` (when the beat added it). The beats read the schedules table every',
          '  `BEAT_RELOAD_INTERVAL` (1 s), so the first tick of the schedule just added can be that late.',
          '- A machine shared with other runs delays every part: these are wall-clock times of six',
          '  processes (Redis, the API, the worker, three beats) on two CPUs; see the load beside the results.',
          '',
        ].join('\n'),
      );
      log(`written to ${o.out}`);
    }
  } finally {
    await Promise.all(processes.map((p) => p.stop('SIGKILL')));
    await queue.close();
    redis.disconnect();
    await server.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench:beat failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
