/**
 * `npm run bench:sink`: what recording a task costs the history sink on SQLite, in this process's CPU time.
 * `--tasks` tasks go through the sink's own batch path (`planBatch` and the store's one-transaction write,
 * `--batch` tasks a transaction) in two passes, as a worker's events reach it during a burst of queued tasks:
 * first their `received` events (the rows are inserted), then their `started` + `succeeded` events (the rows
 * are updated). Prints the CPU µs per task of each pass, the median of `--reps` fresh databases.
 *
 * Flags: --tasks 20000 · --batch 2000 · --reps 3
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DataSource } from 'typeorm';
import { relaxCommitSync } from '../libs/database/src/commit-sync.js';
import { withMigrations } from '../libs/database/src/database.module.js';
import { planBatch } from '../libs/history/src/batch-plan.js';
import { createHistoryStore } from '../libs/history/src/store/create-history-store.js';
import type { HistoryStore } from '../libs/history/src/store/history-store.js';
import type { StreamedEvent, TaskEvent } from '../libs/tasks/src/events/task-event.js';
import { median } from './stats.js';

const { values: flags } = parseArgs({
  options: {
    tasks: { type: 'string', default: '20000' },
    batch: { type: 'string', default: '2000' },
    reps: { type: 'string', default: '3' },
  },
});
const TASKS = Number(flags.tasks);
const BATCH = Number(flags.batch);
const REPS = Number(flags.reps);

/** Writes one batch as the sink does (cursor moved with it); returns the CPU µs it took. */
async function apply(store: HistoryStore, events: TaskEvent[], entry: number): Promise<number> {
  const streamed: StreamedEvent[] = events.map((event, i) => ({ ...event, sid: `${entry}-0`, i }));
  const ids = [...new Set(events.map((event) => event.id))];
  const from = await store.cursor();
  const before = process.cpuUsage();
  await store.write(ids, (stored) => planBatch(stored, streamed, { maxBytes: 16_384 }), {
    from,
    to: `${entry}-0`,
  });
  const used = process.cpuUsage(before);
  return used.user + used.system;
}

async function once(): Promise<{ received: number; ended: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'codehubot-sink-'));
  const source = await new DataSource(
    withMigrations({ type: 'better-sqlite3', database: join(dir, 'history.sqlite'), enableWAL: true }),
  ).initialize();
  try {
    // as the recorder thread's own connection
    relaxCommitSync(source);
    const store = createHistoryStore(source);
    const t0 = Date.now();
    const id = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
    let entry = 1;
    let received = 0;
    let ended = 0;
    for (let first = 0; first < TASKS; first += BATCH) {
      const events: TaskEvent[] = [];
      for (let n = first; n < Math.min(TASKS, first + BATCH); n++) {
        events.push({
          t: 'received',
          id: id(n),
          at: t0 + n,
          name: 'tasks.add',
          queue: 'default',
          kwargs: { x: n, y: 2 },
        });
      }
      received += await apply(store, events, entry++);
    }
    for (let first = 0; first < TASKS; first += BATCH) {
      const events: TaskEvent[] = [];
      for (let n = first; n < Math.min(TASKS, first + BATCH); n++) {
        const at = t0 + TASKS + n;
        events.push({ t: 'started', id: id(n), at, worker: 'bench@host', attempt: 1, ready: t0 + n });
        events.push({
          t: 'succeeded',
          id: id(n),
          at: at + 1,
          worker: 'bench@host',
          attempt: 1,
          runtime: 1,
          result: String(n + 2),
        });
      }
      ended += await apply(store, events, entry++);
    }
    return { received: received / TASKS, ended: ended / TASKS };
  } finally {
    await source.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

const runs: { received: number; ended: number }[] = [];
for (let rep = 0; rep < REPS; rep++) runs.push(await once());
const fmt = (values: number[]): string =>
  `${median(values).toFixed(1)} µs (runs: ${values.map((v) => v.toFixed(1)).join(', ')})`;
console.log(
  `history sink on SQLite, ${TASKS.toLocaleString('en')} tasks, ${BATCH.toLocaleString('en')} a transaction:`,
);
console.log(`  received (rows inserted):            ${fmt(runs.map((r) => r.received))} CPU a task`);
console.log(`  started + succeeded (rows updated):  ${fmt(runs.map((r) => r.ended))} CPU a task`);
