/**
 * `npm run bench:history`: the task history at scale, through the built API.
 *
 * 1. For each database: a fresh one filled with `--rows` task rows (received → started → succeeded, 5 % failed,
 *    spread over the last 24 h, ten task names) through the sink's own batch path (`planBatch` + the store's
 *    one-transaction write, 2,000 tasks a batch); then the built API started on it, and the latency over HTTP of
 *    `GET /tasks` with a name filter and `q` (an e-mail address found in one row's arguments), of `GET /tasks`
 *    with `q` of two words (a word of every row's arguments, then that address), of `GET /tasks` with a state
 *    filter alone, and of `GET /stats` for the last hour.
 * 2. Keep-up (SQLite): the built API (its recorder and history sink) on a fresh database while this process
 *    XADDs received + started + succeeded events for `--rate` tasks a second for `--seconds`; the lag (an event's
 *    stream time → the history's cursor past it, read from the database every 100 ms; the cursor moves in the
 *    rows' transaction), and the backlog left when the load stops.
 *
 * Flags: --rows 1000000 · --databases sqlite,postgres · --queries 100 · --rate 2000 · --seconds 60 ·
 * --out docs/BENCHMARKS-history.md (the part between the bench:history markers is replaced).
 */
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { withMigrations } from '../libs/database/src/database.module.js';
import { planBatch } from '../libs/history/src/batch-plan.js';
import { createHistoryStore } from '../libs/history/src/store/create-history-store.js';
import { appendEvents } from '../libs/tasks/src/events/event-stream.js';
import type { TaskEvent } from '../libs/tasks/src/events/task-event.js';
import { postgresDatabaseUrl } from '../test/utils/databases.js';
import { freePort } from '../test/utils/free-port.js';
import { TestRedis } from '../test/utils/redis-server.js';
import { BenchProcess, ROOT_DIR } from './node-process.js';
import { percentiles } from './stats.js';

const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const { values: flags } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    databases: { type: 'string', default: 'sqlite,postgres' },
    queries: { type: 'string', default: '100' },
    rate: { type: 'string', default: '2000' },
    seconds: { type: 'string', default: '60' },
    out: { type: 'string', default: 'docs/BENCHMARKS-history.md' },
  },
});
const ROWS = Number(flags.rows);
const QUERIES = Number(flags.queries);
const RATE = Number(flags.rate);
const SECONDS = Number(flags.seconds);
const NAMES = Array.from({ length: 10 }, (_, i) => `tasks.bench_${i}`);
const PEOPLE = ['ann', 'bob', 'chen', 'dana', 'eli', 'fang', 'gus', 'hana', 'ivan', 'jun'];
const DAY_MS = 86_400_000;
const BATCH = 2_000;

const ms = (n: number): string => n.toFixed(1);

/** Task n's three events: what a worker and the producer would have written. */
function taskEvents(n: number, id: string, at: number): TaskEvent[] {
  const name = NAMES[n % NAMES.length];
  const started = at + 5 + (n % 40);
  const runtime = 10 + ((n * 7919) % 990);
  const fails = n % 20 === 7;
  const received: TaskEvent = {
    t: 'received',
    id,
    at,
    name,
    queue: 'default',
    kwargs: { to: `${PEOPLE[n % PEOPLE.length]}.${n}@example.org`, document_id: id, pages: n % 300 },
  };
  const start: TaskEvent = { t: 'started', id, at: started, worker: `bench-${n % 4}`, attempt: 1, ready: at };
  const end: TaskEvent = fails
    ? {
        t: 'failed',
        id,
        at: started + runtime,
        worker: `bench-${n % 4}`,
        attempt: 1,
        runtime,
        error: `Error: timeout talking to host-${n % 1000}`,
      }
    : {
        t: 'succeeded',
        id,
        at: started + runtime,
        worker: `bench-${n % 4}`,
        attempt: 1,
        runtime,
        result: JSON.stringify({ ok: true, chunks: n % 97 }),
      };
  return [received, start, end];
}

async function dataSource(url: string): Promise<DataSource> {
  const options: DataSourceOptions = url.startsWith('sqlite:')
    ? { type: 'better-sqlite3', database: url.slice('sqlite:'.length), enableWAL: true }
    : { type: 'postgres', url };
  return new DataSource(withMigrations(options)).initialize();
}

/** Fills the history with `rows` tasks ending now, spread over 24 h; returns the e-mails of some of them. */
async function fill(
  url: string,
  rows: number,
): Promise<{ seconds: number; probes: { name: string; q: string }[] }> {
  const source = await dataSource(url);
  const store = createHistoryStore(source);
  const started = performance.now();
  const now = Date.now();
  const probes: { name: string; q: string }[] = [];
  try {
    for (let first = 0; first < rows; first += BATCH) {
      const events: TaskEvent[] = [];
      const ids: string[] = [];
      for (let n = first; n < Math.min(rows, first + BATCH); n++) {
        const id = randomUUID();
        ids.push(id);
        events.push(...taskEvents(n, id, now - DAY_MS + Math.floor((n * DAY_MS) / rows)));
        if (n % Math.max(1, Math.floor(rows / QUERIES)) === 3 && probes.length < QUERIES) {
          probes.push({ name: NAMES[n % NAMES.length], q: `${PEOPLE[n % PEOPLE.length]}.${n}@example` });
        }
      }
      await store.write(ids, (stored) => planBatch(stored, events, { maxBytes: 16_384 }));
      if ((first / BATCH) % 50 === 0) console.error(`  ${first.toLocaleString('en')} rows`);
    }
    // the planner's statistics, as a database that has run for a while has them
    await source.query('ANALYZE');
  } finally {
    await source.destroy();
  }
  return { seconds: (performance.now() - started) / 1000, probes };
}

async function timedGet(url: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(url);
  const body = await response.text();
  if (response.status !== 200) throw new Error(`${url}: ${response.status} ${body.slice(0, 200)}`);
  return performance.now() - started;
}

async function database(kind: string): Promise<{ url: string; drop: () => Promise<void> }> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'codehubot-bench-history-'));
    return {
      url: `sqlite:${join(dir, 'db.sqlite')}`,
      drop: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
    };
  }
  return postgresDatabaseUrl(POSTGRES_URL);
}

async function startApi(
  url: string,
  redis: TestRedis,
  prefix: string,
): Promise<{ api: BenchProcess; base: string }> {
  const port = await freePort();
  const api = new BenchProcess('apps/api/main.js', [], {
    PORT: String(port),
    DATABASE_URL: url,
    REDIS_URL: redis.url,
    QUEUE_PREFIX: prefix,
    EMBEDDING_PROVIDER: 'hash',
    LOG_FORMAT: 'json',
  });
  await api.waitForOutput(/listening on/, 120_000);
  return { api, base: `http://127.0.0.1:${port}` };
}

async function scale(kind: string): Promise<string> {
  const db = await database(kind);
  const redis = await TestRedis.start();
  let api: BenchProcess | undefined;
  try {
    console.error(`${kind}: filling ${ROWS.toLocaleString('en')} rows`);
    const filled = await fill(db.url, ROWS);
    const started = await startApi(db.url, redis, `bench-history-${process.pid}`);
    api = started.api;
    const { base } = started;
    const search: number[] = [];
    for (const [i, probe] of filled.probes.entries()) {
      const took = await timedGet(
        `${base}/tasks?name=${probe.name}&q=${encodeURIComponent(probe.q)}&limit=50`,
      );
      if (i >= 5) search.push(took);
    }
    // two words, a common one first: each must match in the arguments or the outcome of the same task
    const twoWords: number[] = [];
    for (const [i, probe] of filled.probes.entries()) {
      const took = await timedGet(`${base}/tasks?q=${encodeURIComponent(`example.org ${probe.q}`)}&limit=50`);
      if (i >= 5) twoWords.push(took);
    }
    const filtered: number[] = [];
    for (let i = 0; i < QUERIES; i++) {
      filtered.push(await timedGet(`${base}/tasks?state=FAILURE&name=${NAMES[i % NAMES.length]}&limit=50`));
    }
    const stats: number[] = [];
    for (let i = 0; i < Math.max(50, QUERIES / 2); i++) stats.push(await timedGet(`${base}/stats`));
    const s = percentiles(search);
    const w = percentiles(twoWords);
    const f = percentiles(filtered);
    const t = percentiles(stats);
    console.error(
      `${kind}: q p99 ${ms(s.p99)} ms, two words p99 ${ms(w.p99)} ms, filter p99 ${ms(f.p99)} ms, stats p99 ${ms(t.p99)} ms`,
    );
    return `| ${kind} | ${ROWS.toLocaleString('en')} | ${filled.seconds.toFixed(0)} s | ${ms(s.p50)} / ${ms(s.p99)} (${search.length}) | ${ms(w.p50)} / ${ms(w.p99)} | ${ms(f.p50)} / ${ms(f.p99)} (${filtered.length}) | ${ms(t.p50)} / ${ms(t.p99)} (${stats.length}) |`;
  } finally {
    await api?.stop('SIGTERM');
    await redis.destroy();
    await db.drop();
  }
}

/** The history's cursor, as stored (the time part of its stream id). */
function cursorMs(db: Database.Database): number {
  const row = db.prepare(`SELECT stream_id FROM task_history_cursor WHERE name = 'history'`).get() as {
    stream_id: string;
  };
  return Number(row.stream_id.split('-')[0]);
}

async function keepUp(): Promise<string> {
  const db = await database('sqlite');
  const redis = await TestRedis.start();
  const prefix = `bench-keepup-${process.pid}`;
  let api: BenchProcess | undefined;
  const client = new Redis(redis.url);
  try {
    api = (await startApi(db.url, redis, prefix)).api;
    const reader = new Database(db.url.slice('sqlite:'.length), { readonly: true });
    const lags: number[] = [];
    let load = true;
    const sampler = (async () => {
      while (load) {
        const cursor = cursorMs(reader);
        // the cursor is the last event applied: what waits behind it is as old as the oldest unapplied event
        const next = await client.xrange(`${prefix}:_events`, `(${cursor}-999999`, '+', 'COUNT', 1);
        const oldest = next[0] ? Number(next[0][0].split('-')[0]) : undefined;
        lags.push(oldest === undefined ? 0 : Date.now() - oldest);
        await sleep(100);
      }
    })();
    const tickMs = 10;
    const perTick = (RATE * tickMs) / 1000;
    const started = Date.now();
    let sent = 0;
    for (let tick = 0; Date.now() - started < SECONDS * 1000; tick++) {
      const due = started + tick * tickMs;
      if (due > Date.now()) await sleep(due - Date.now());
      const pipeline = client.pipeline();
      const events: TaskEvent[] = [];
      const now = Date.now();
      for (let i = 0; i < perTick; i++) events.push(...taskEvents(sent++, randomUUID(), now - 20));
      appendEvents(pipeline, prefix, 10_000_000, events);
      await pipeline.exec();
    }
    const elapsed = (Date.now() - started) / 1000;
    load = false;
    await sampler;
    const last = await client.xrevrange(`${prefix}:_events`, '+', '-', 'COUNT', 1);
    const lastMs = Number(last[0]?.[0].split('-')[0] ?? 0);
    const backlog = (await client.xrange(`${prefix}:_events`, `(${cursorMs(reader)}-999999`, '+')).length;
    const drainStart = Date.now();
    while (cursorMs(reader) < lastMs && Date.now() - drainStart < 120_000) await sleep(50);
    const drain = Date.now() - drainStart;
    const rows = (reader.prepare('SELECT count(*) AS n FROM task_history').get() as { n: number }).n;
    reader.close();
    const l = percentiles(lags);
    console.error(`keep-up: lag p50 ${l.p50} p99 ${l.p99} ms, backlog ${backlog}, drained in ${drain} ms`);
    return `| SQLite | ${RATE.toLocaleString('en')} tasks/s (${(sent / elapsed).toFixed(0)} achieved, ${(sent * 3).toLocaleString('en')} events) | ${SECONDS} s | ${l.p50} / ${l.p99} / ${Math.max(...lags)} | ${backlog.toLocaleString('en')} events, applied ${drain} ms later | ${rows.toLocaleString('en')} |`;
  } finally {
    client.disconnect();
    await api?.stop('SIGTERM');
    await redis.destroy();
    await db.drop();
  }
}

function writeReport(lines: string): void {
  const out = resolve(ROOT_DIR, flags.out);
  let text: string;
  try {
    text = readFileSync(out, 'utf8');
  } catch {
    text = '# Benchmarks: task history\n\n<!-- bench:history -->\n<!-- /bench:history -->\n';
  }
  const start = text.indexOf('<!-- bench:history -->');
  const end = text.indexOf('<!-- /bench:history -->');
  writeFileSync(out, `${text.slice(0, start)}<!-- bench:history -->\n${lines}\n${text.slice(end)}`);
}

async function main(): Promise<void> {
  const scaleRows: string[] = [];
  for (const kind of flags.databases.split(',').filter(Boolean)) scaleRows.push(await scale(kind));
  const keep = SECONDS > 0 ? await keepUp() : '';
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}`;
  const report = [
    `Run ${new Date().toISOString().slice(0, 16)}Z on ${machine}: \`npm run bench:history -- --rows ${ROWS} --databases ${flags.databases} --queries ${QUERIES} --rate ${RATE} --seconds ${SECONDS}\`.`,
    '',
    '| database | rows | fill | `GET /tasks?name=…&q=<e-mail>` p50 / p99 ms (queries) | `GET /tasks?q=example.org <e-mail>` p50 / p99 ms | `GET /tasks?state=FAILURE&name=…` p50 / p99 ms | `GET /stats` (last hour) p50 / p99 ms |',
    '|---|---|---|---|---|---|---|',
    ...scaleRows,
    '',
    ...(keep
      ? [
          '| keep-up | load | for | lag p50 / p99 / max ms | left when the load stopped | rows |',
          '|---|---|---|---|---|---|',
          keep,
        ]
      : []),
  ].join('\n');
  writeReport(report);
  console.log(report);
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
