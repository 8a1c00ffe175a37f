import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { allFinal, listAll, waitForHistory } from '../utils/history.js';
import { E2E_TIMEOUT_MS, startWorker } from '../utils/runtime-helpers.js';
import { TestSystem } from '../utils/test-system.js';

jest.setTimeout(E2E_TIMEOUT_MS);

const DAY_MS = 86_400_000;

/**
 * The history loses no row: a worker killed with SIGKILL mid-task, an API killed right after answering
 * submissions, a database locked for seconds; rows whose own events were lost are finished by the
 * reconciler; rows older than HISTORY_RETENTION_DAYS are pruned (with their search text and stats).
 */
describe('task history durability (SQLite)', () => {
  let system: TestSystem;
  let db: Database.Database;

  beforeAll(async () => {
    system = await TestSystem.start();
    await startWorker(system, ['--queues', 'default', '--concurrency', '4']);
    db = new Database(join(system.dir, 'db.sqlite'));
  });

  afterAll(async () => {
    db?.close();
    await system?.stop();
  });

  const submitMany = async (n: number, name: string, body: Record<string, unknown>): Promise<string[]> => {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const answer = await system.submit(name, body);
      expect(answer.status).toBe(202);
      ids.push(answer.body.task_id);
    }
    return ids;
  };

  it('keeps every row, finished right, when a worker is killed with SIGKILL mid-task', async () => {
    const queue = ['--queues', 'crash', '--concurrency', '4'];
    const victim = await startWorker(system, queue);
    // long enough to outlast the wait below: under load the paced recorder may take seconds to record the starts
    const ids = await submitMany(3, 'tasks.long_running_task', { args: [15], queue: 'crash' });
    for (const id of ids) await system.waitForState(id, ['STARTED', 'PROGRESS'], 60_000);
    // killed once the history has each start: a start still in the worker's event buffer (flushed every
    // 50 ms) dies with it, and the row then rightly shows only the replacement's
    await waitForHistory(
      system,
      { queue: 'crash' },
      (items) => ids.every((id) => items.some((item) => item.task_id === id && item.started_at !== null)),
      60_000,
    );
    expect(await victim.stop('SIGKILL')).toBeNull();
    await startWorker(system, queue);
    const items = await waitForHistory(system, { queue: 'crash' }, allFinal(ids), 90_000);
    expect(items).toHaveLength(3);
    for (const item of items) {
      expect(item).toMatchObject({ state: 'SUCCESS', result: { status: 'completed', result: 15 } });
      // the dead worker's start, then the replacement's
      expect(item.transitions.filter((t) => t.event === 'started').length).toBeGreaterThanOrEqual(2);
    }
  });

  it('keeps every row when the API is killed with SIGKILL right after answering submissions', async () => {
    const ids = await submitMany(20, 'tasks.add', { args: [1, 2] });
    await system.api?.stop('SIGKILL');
    await system.startApi();
    const items = await waitForHistory(system, { name: 'tasks.add' }, allFinal(ids));
    const mine = items.filter((item) => ids.includes(item.task_id));
    expect(mine).toHaveLength(20);
    expect(mine.every((item) => item.state === 'SUCCESS' && item.result === 3)).toBe(true);
  });

  it('delays rows while the database is locked, and loses none', async () => {
    db.exec('BEGIN EXCLUSIVE');
    let ids: string[];
    try {
      ids = await submitMany(10, 'tasks.add', { args: [5, 5] });
      await sleep(3000);
      const during = await listAll(system, { name: 'tasks.add', limit: '500' });
      expect(during.filter((item) => ids.includes(item.task_id))).toEqual([]);
    } finally {
      db.exec('COMMIT');
    }
    const items = await waitForHistory(system, { name: 'tasks.add' }, allFinal(ids), 60_000);
    expect(items.filter((item) => ids.includes(item.task_id) && item.state === 'SUCCESS')).toHaveLength(10);
  });

  it('finishes a row whose final events were lost from the live task (the reconciler)', async () => {
    const [id] = await submitMany(1, 'tasks.add', { args: [20, 22] });
    await waitForHistory(system, {}, allFinal([id]));
    // as if the worker had died before sending its last events: the row still says STARTED, long ago
    const past = Date.now() - 60_000;
    db.prepare(
      `UPDATE task_history SET state = 'STARTED', date_done = NULL, result = NULL, runtime_ms = NULL,
         transitions = json('[{"event":"received","at":${past - 10}},{"event":"started","at":${past},"attempt":1}]'),
         last_event_at = ?, check_after = ?
       WHERE id = ?`,
    ).run(past, past + 30_000, id);
    const [item] = await waitForHistory(
      system,
      { q: '"x":20' },
      (items) => items[0]?.state === 'SUCCESS',
      30_000,
    );
    expect(item).toMatchObject({ task_id: id, state: 'SUCCESS', result: 42 });
    expect(item.transitions.map((t) => t.event)).toEqual(['received', 'started', 'reconciled']);
  });

  it('prunes rows older than HISTORY_RETENTION_DAYS in batches, with their search text and stats', async () => {
    const now = Date.now();
    const insert = db.prepare(
      `INSERT INTO task_history (id, name, queue, state, kwargs, received_at, date_done, result, transitions,
         last_event_at, check_after) VALUES (?, 'tasks.old', 'default', 'SUCCESS', ?, ?, ?, '1', '[]', ?, ?)`,
    );
    const fts = db.prepare('INSERT INTO task_history_fts (rowid, body) VALUES (?, ?)');
    const aged = (days: number, n: number): string[] => {
      const ids: string[] = [];
      db.transaction(() => {
        for (let i = 0; i < n; i++) {
          const id = randomUUID();
          const at = now - days * DAY_MS - i;
          const seq = insert.run(id, '{"marker":"aged-row"}', at, at, at, at).lastInsertRowid;
          // a task's two search documents: its arguments (rowid 2·seq) and its outcome (2·seq + 1)
          fts.run(2n * BigInt(seq), '{"marker":"aged-row"}');
          fts.run(2n * BigInt(seq) + 1n, '1');
          ids.push(id);
        }
      })();
      return ids;
    };
    const old = aged(40, 12_000);
    const kept = aged(10, 3);
    db.prepare(
      `INSERT INTO task_stats (minute, name, succeeded, runtime_hist, wait_hist) VALUES (?, 'tasks.old', 5, '[]', '[]')`,
    ).run(Math.floor((now - 40 * DAY_MS) / 60_000));
    const count = (sql: string): number => (db.prepare(sql).get() as { n: number }).n;
    // the lease holder prunes every few seconds, 5,000 rows per transaction
    const deadline = Date.now() + 60_000;
    while (
      count(`SELECT count(*) AS n FROM task_history WHERE name = 'tasks.old'`) > kept.length &&
      Date.now() < deadline
    ) {
      await sleep(500);
    }
    const left = (await listAll(system, { name: 'tasks.old', limit: '500' })).map((item) => item.task_id);
    expect(left.sort()).toEqual([...kept].sort());
    expect(old.some((id) => left.includes(id))).toBe(false);
    expect(
      count(`SELECT count(*) AS n FROM task_history_fts WHERE task_history_fts MATCH '"aged-row"'`),
    ).toBe(3);
    expect(count(`SELECT count(*) AS n FROM task_stats WHERE name = 'tasks.old'`)).toBe(0);
    expect((await system.status(old[0])).status).toBe(404);
    expect((await system.status(kept[0])).body).toMatchObject({ state: 'SUCCESS', result: 1 });
  });
});
