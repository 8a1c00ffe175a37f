import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import pg from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { postgresDatabaseUrl } from '../utils/databases.js';
import { allFinal, listAll, listTasks, waitForHistory } from '../utils/history.js';
import { E2E_TIMEOUT_MS, startWorker } from '../utils/runtime-helpers.js';
import { TestSystem } from '../utils/test-system.js';

jest.setTimeout(E2E_TIMEOUT_MS);

/** The history on PostgreSQL (pg_trgm search, multi-row upserts): the same answers as on SQLite. */
describe('task history on PostgreSQL', () => {
  let system: TestSystem;
  let database: { url: string; drop: () => Promise<void> };
  let client: pg.Client;
  const adds: string[] = [];
  const fails: string[] = [];

  beforeAll(async () => {
    database = await postgresDatabaseUrl();
    system = await TestSystem.start({ env: { DATABASE_URL: database.url, RESULT_EXPIRES: '2' } });
    await startWorker(system, ['--queues', 'default', '--concurrency', '4']);
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
    for (let i = 0; i < 4; i++)
      adds.push((await system.submit('tasks.add', { args: [i, 1000] })).body.task_id);
    for (let i = 0; i < 2; i++) {
      fails.push((await system.submit('tasks.fail', { args: [`pg-error_marker%${i}`] })).body.task_id);
    }
    await system.submit('tasks.process_data', {
      kwargs: { data: { token: 'tok-secret', who: 'Quokka-Pg' } },
    });
    await waitForHistory(system, {}, allFinal([...adds, ...fails]));
  });

  afterAll(async () => {
    await client?.end();
    await system?.stop();
    await database?.drop();
  });

  it('lists, filters, searches and pages', async () => {
    expect((await listAll(system, { state: 'FAILURE' })).map((i) => i.task_id).sort()).toEqual(
      [...fails].sort(),
    );
    // LIKE's own wildcards are taken literally
    expect((await listAll(system, { q: 'error_marker%1' })).map((i) => i.task_id)).toEqual([fails[1]]);
    expect(await listAll(system, { q: 'errorXmarker' })).toEqual([]);
    const [secret] = await listAll(system, { q: 'quokka-pg' });
    expect(secret).toMatchObject({
      name: 'tasks.process_data',
      kwargs: { data: { token: '***', who: 'Quokka-Pg' } },
    });
    const first = await listTasks(system, { name: 'tasks.add', limit: '3' });
    expect(first.items).toHaveLength(3);
    const second = await listTasks(system, { name: 'tasks.add', limit: '3', cursor: first.next_cursor! });
    expect(second).toMatchObject({ next_cursor: null });
    expect([...first.items, ...second.items].map((i) => i.task_id)).toEqual([...adds].reverse());
  });

  it('counts stats and answers from the history once results expired', async () => {
    const stats = await system.request<{ tasks: { name: string; succeeded: number; failed: number }[] }>(
      'GET',
      '/stats',
    );
    const byName = new Map(stats.body.tasks.map((t) => [t.name, t]));
    expect(byName.get('tasks.add')).toMatchObject({ succeeded: 4, failed: 0 });
    expect(byName.get('tasks.fail')).toMatchObject({ succeeded: 0, failed: 2 });
    await sleep(2500);
    expect((await system.status(adds[3])).body).toMatchObject({ state: 'SUCCESS', result: 1003 });
  });

  it('delays rows while the history tables are locked, and loses none', async () => {
    await client.query('BEGIN');
    await client.query('LOCK TABLE task_history_cursor IN ACCESS EXCLUSIVE MODE');
    const ids: string[] = [];
    try {
      for (let i = 0; i < 5; i++) ids.push((await system.submit('tasks.add', { args: [9, i] })).body.task_id);
      await sleep(3000);
      const during = await listAll(system, { name: 'tasks.add' });
      expect(during.filter((item) => ids.includes(item.task_id))).toEqual([]);
    } finally {
      await client.query('COMMIT');
    }
    const items = await waitForHistory(system, { name: 'tasks.add' }, allFinal(ids));
    expect(items.filter((item) => ids.includes(item.task_id) && item.state === 'SUCCESS')).toHaveLength(5);
  });
});
