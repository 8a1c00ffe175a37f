import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Database } from 'better-sqlite3';
import { createHistoryStore, type HistoryStore } from '@app/history';
import { sqliteDatabase, type TestDatabase } from '../utils/databases.js';

/** Rows as the history held them before the search index was split: one document per task (rowid = seq). */
const OLD_ROWS = [
  { id: 'a', kwargs: '{"user":"zebra-unique"}', result: '{"processed":true}', error: null },
  { id: 'b', kwargs: '{"user":"someone-else"}', result: null, error: 'ValueError: marker-broken' },
  { id: 'c', kwargs: '{"user":"zebra-unique"}', result: null, error: null },
];

describe('the split of the SQLite history search index (migration SplitHistorySearch1772841600000)', () => {
  let db: TestDatabase;
  let sqlite: Database;
  let store: HistoryStore;
  const search = async (...terms: string[]): Promise<string[]> =>
    (await store.list({ terms, limit: 10 })).map((row) => row.id);

  beforeAll(async () => {
    db = await sqliteDatabase();
    sqlite = (db.dataSource.driver as unknown as { databaseConnection: Database }).databaseConnection;
    await db.dataSource.undoLastMigration();
    const insert = sqlite.prepare(
      `INSERT INTO task_history (id, name, queue, state, kwargs, received_at, result, error, transitions,
         last_event_at, check_after) VALUES (?, 'tasks.x', 'default', 'SUCCESS', ?, 1, ?, ?, '[]', 1, 1)`,
    );
    const document = sqlite.prepare('INSERT INTO task_history_fts (rowid, body) VALUES (?, ?)');
    for (const row of OLD_ROWS) {
      const seq = insert.run(row.id, row.kwargs, row.result, row.error).lastInsertRowid;
      document.run(seq, `${row.kwargs} ${row.result ?? ''} ${row.error ?? ''}`);
    }
    await db.dataSource.runMigrations();
    store = createHistoryStore(db.dataSource);
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('indexes the rows stored before it: arguments and outcomes, each term in either', async () => {
    expect(await search('zebra-unique')).toEqual(['c', 'a']);
    expect(await search('processed')).toEqual(['a']);
    expect(await search('marker-broken')).toEqual(['b']);
    expect(await search('zebra-unique', 'processed')).toEqual(['a']);
    expect(await search('processed', 'zebra-unique')).toEqual(['a']);
    expect(await search('someone-else', 'processed')).toEqual([]);
  });

  it('stores two documents per finished task and one per unfinished task', () => {
    const rowids = (
      sqlite.prepare('SELECT rowid FROM task_history_fts ORDER BY rowid').all() as { rowid: number }[]
    ).map((r) => r.rowid);
    expect(rowids).toEqual([2, 3, 4, 5, 6]);
  });

  it('goes back to one document per task when undone', async () => {
    await db.dataSource.undoLastMigration();
    const rowids = sqlite.prepare('SELECT rowid FROM task_history_fts ORDER BY rowid').all() as {
      rowid: number;
    }[];
    expect(rowids.map((r) => r.rowid)).toEqual([1, 2, 3]);
    const match = (term: string): number =>
      (
        sqlite
          .prepare('SELECT count(*) AS n FROM task_history_fts WHERE task_history_fts MATCH ?')
          .get(`"${term}"`) as {
          n: number;
        }
      ).n;
    expect(match('processed')).toBe(1);
    expect(match('zebra-unique')).toBe(2);
    await db.dataSource.runMigrations();
  });
});
