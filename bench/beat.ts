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
      else ticks.set(sched.at, { nominal: sched.at, started: job.processedOn ?? NaN, runs });
    }
    const nominals = [...ticks.keys()].sort((a, b) => a - b);
    const first = nominals[0] ?? 0;
    const last = nominals.at(-1) ?? 0;
    const expected = nominals.length > 0 ? (last - first) / 1000 + 1 : 0;
    const duplicates = [...ticks.values()].reduce((n, t) => n + Math.max(0, t.runs - 1), 0);
    const missed = expected - ticks.size;
    const delays = [...ticks.values()]
      .map((t) => t.started - t.nominal)
      .filter(Number.isFinite)
      .sort((a, b) => a - b);
    const p = (q: number): string => `${Math.round(percentileOfSorted(delays, q))}`;
    const rows = [
      '| ticks | duplicates | missed | delay p50 ms | delay p99 ms | delay max ms |',
      '| ---: | ---: | ---: | ---: | ---: | ---: |',
      `| ${ticks.size} | ${duplicates} | ${missed} | ${p(50)} | ${p(99)} | ${Math.round(delays.at(-1) ?? NaN)} |`,
    ];
    process.stdout.write(`\n${rows.join('\n')}\n`);
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
          '  worker takes it), so it includes the queueing and the pick-up.',
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
