import { compareStreamIds } from '@app/tasks';
import type { Database, Statement } from 'better-sqlite3';
import { setTimeout as sleep } from 'node:timers/promises';
import { HISTORY_UNFINISHED } from '@app/database';
import { outcomeText, type HistoryRow } from '../history-row.js';
import {
  fromRecord,
  ROW_COLUMNS,
  rowValues,
  STATS_COLUMNS,
  statsFromRecord,
  statsValues,
  type DbRecord,
  type RowValue,
  type StatsRow,
} from './columns.js';
import {
  addStats,
  HISTORY_CURSOR_NAME,
  type CursorMove,
  type HistoryQuery,
  type HistoryStore,
  type Planner,
} from './history-store.js';

/** How long a history write waits for another connection's write lock before giving up (and retrying later). */
const WRITE_BUSY_TIMEOUT_MS = 250;
/** Ids per `IN (…)` list. */
const CHUNK = 500;

/** An FTS5 query matching `term` as a substring: one phrase, its quotes doubled. */
const ftsPhrase = (term: string): string => `"${term.replace(/"/g, '""')}"`;

/**
 * A task's two search documents (migration `SplitHistorySearch1772841600000`): its arguments, written when it
 * is queued, and its outcome (result, error), written when it ends; neither is rewritten unless its text
 * changes, and an empty one is not stored.
 */
const argumentsDoc = (seq: number): number => 2 * seq;
const outcomeDoc = (seq: number): number => 2 * seq + 1;
/** The same rules in SQL: the task a search document belongs to, and the two documents of the row `h`. */
const DOC_SEQ = 'task_history_fts.rowid >> 1';
const DOCS_OF_ROW = '(2 * h.seq, 2 * h.seq + 1)';

/**
 * The history on SQLite, through the process's one better-sqlite3 connection (TypeORM's). Each write is one
 * synchronous `BEGIN IMMEDIATE` transaction with prepared statements: nothing else can run on the connection
 * in the middle of it (it starts only when no other transaction is open on it), and it costs no round trip
 * per row. While it runs the busy timeout is short, so that a database locked by someone else stalls this
 * process's event loop for a moment, not for the connection's 30 s: the recorder retries the batch later.
 */
export class SqliteHistoryStore implements HistoryStore {
  private readonly statements = new Map<string, Statement>();

  constructor(private readonly db: Database) {}

  private prepare(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private async transaction<T>(work: () => T): Promise<T> {
    // another transaction of this connection (a documents write) is between two awaits: let it finish
    while (this.db.inTransaction) await sleep(2);
    const timeout = this.db.pragma('busy_timeout', { simple: true }) as number;
    this.db.pragma(`busy_timeout = ${WRITE_BUSY_TIMEOUT_MS}`);
    try {
      return this.db.transaction(work).immediate();
    } finally {
      this.db.pragma(`busy_timeout = ${timeout}`);
    }
  }

  cursor(): Promise<string> {
    const row = this.prepare('SELECT stream_id FROM task_history_cursor WHERE name = ?').get(
      HISTORY_CURSOR_NAME,
    ) as { stream_id: string } | undefined;
    return Promise.resolve(row?.stream_id ?? '0-0');
  }

  write(ids: readonly string[], plan: Planner, move?: CursorMove): Promise<boolean> {
    return this.transaction(() => {
      if (move) {
        const moved = this.prepare(
          'UPDATE task_history_cursor SET stream_id = ? WHERE name = ? AND stream_id = ?',
        ).run(move.to, HISTORY_CURSOR_NAME, move.from);
        if (moved.changes === 0) return this.cursorMismatch(move);
      }
      const stored = this.load(ids);
      const { rows, stats } = plan(stored);
      for (const row of rows) this.writeRow(row, stored.get(row.id));
      for (const delta of stats) {
        const current = this.prepare('SELECT * FROM task_stats WHERE minute = ? AND name = ?').get(
          delta.minute,
          delta.name,
        ) as DbRecord | undefined;
        this.upsertStats(addStats(current ? statsFromRecord(current) : undefined, delta));
      }
      return true;
    });
  }

  /** Nothing applied: another recorder got there first. A cursor behind the batch cannot happen: say so. */
  private cursorMismatch(move: CursorMove): false {
    const stored = (
      this.prepare('SELECT stream_id FROM task_history_cursor WHERE name = ?').get(HISTORY_CURSOR_NAME) as
        { stream_id: string } | undefined
    )?.stream_id;
    if (stored === undefined || compareStreamIds(stored, move.from) < 0) {
      throw new Error(`history cursor is ${stored ?? 'missing'}, behind the batch from ${move.from}`);
    }
    return false;
  }

  private load(ids: readonly string[]): Map<string, HistoryRow> {
    const rows = new Map<string, HistoryRow>();
    for (let i = 0; i < ids.length; i += CHUNK) {
      const chunk = ids.slice(i, i + CHUNK);
      const sql = `SELECT * FROM task_history WHERE id IN (${chunk.map(() => '?').join(',')})`;
      for (const record of this.prepare(sql).all(...chunk) as DbRecord[]) {
        const row = fromRecord(record);
        rows.set(row.id, row);
      }
    }
    return rows;
  }

  private writeRow(row: HistoryRow, before: HistoryRow | undefined): void {
    const values = rowValues(row);
    let seq = before?.seq;
    if (seq === undefined) {
      const sql = `INSERT INTO task_history (${ROW_COLUMNS.join(', ')}) VALUES (${ROW_COLUMNS.map(() => '?').join(', ')})`;
      seq = Number(this.prepare(sql).run(...values).lastInsertRowid);
    } else {
      const sql = `UPDATE task_history SET ${ROW_COLUMNS.map((c) => `${c} = ?`).join(', ')} WHERE seq = ?`;
      this.prepare(sql).run(...values, seq);
    }
    this.writeDocument(argumentsDoc(seq), row.kwargs, before?.kwargs);
    this.writeDocument(outcomeDoc(seq), outcomeText(row), before && outcomeText(before));
  }

  /** One search document, given its text now and before (undefined: the task was not stored yet). */
  private writeDocument(rowid: number, text: string, before: string | undefined): void {
    if (text === before) return;
    if (before === undefined || before === '') {
      // none stored yet: a plain insert (a replace would first look for one to delete)
      if (text !== '')
        this.prepare('INSERT INTO task_history_fts (rowid, body) VALUES (?, ?)').run(rowid, text);
    } else if (text === '') {
      this.prepare('DELETE FROM task_history_fts WHERE rowid = ?').run(rowid);
    } else {
      this.prepare('INSERT OR REPLACE INTO task_history_fts (rowid, body) VALUES (?, ?)').run(rowid, text);
    }
  }

  private upsertStats(row: StatsRow): void {
    const updates = STATS_COLUMNS.slice(2).map((c) => `${c} = excluded.${c}`);
    const sql =
      `INSERT INTO task_stats (${STATS_COLUMNS.join(', ')}) VALUES (${STATS_COLUMNS.map(() => '?').join(', ')}) ` +
      `ON CONFLICT (minute, name) DO UPDATE SET ${updates.join(', ')}`;
    this.prepare(sql).run(...statsValues(row));
  }

  get(id: string): Promise<HistoryRow | undefined> {
    const record = this.prepare('SELECT * FROM task_history WHERE id = ?').get(id) as DbRecord | undefined;
    return Promise.resolve(record ? fromRecord(record) : undefined);
  }

  list(query: HistoryQuery): Promise<HistoryRow[]> {
    const where: string[] = [];
    const params: RowValue[] = [];
    const add = (sql: string, ...values: RowValue[]): void => {
      where.push(sql);
      params.push(...values);
    };
    let from = 'task_history h';
    let order = 'h.seq';
    let before = query.beforeSeq;
    let limit = query.limit;
    // the longest word drives (a longer substring is likely rarer): the walk stops sooner at the limit
    const [first, ...others] = [...(query.terms ?? [])].sort((a, b) => [...b].length - [...a].length);
    if (first !== undefined) {
      // driven by the search index, newest first: FTS5 walks its rowids backwards and stops at the limit;
      // the driving word may match either document of a task, each other word is looked up in that task's two
      from = `task_history_fts JOIN task_history h ON h.seq = ${DOC_SEQ}`;
      order = 'task_history_fts.rowid';
      add('task_history_fts MATCH ?', ftsPhrase(first));
      for (const term of others) {
        add(
          `EXISTS (SELECT 1 FROM task_history_fts t WHERE t.task_history_fts MATCH ? AND t.rowid IN ${DOCS_OF_ROW})`,
          ftsPhrase(term),
        );
      }
      if (before !== undefined) before = argumentsDoc(before);
      // a task whose two documents both match comes twice (its rows side by side): enough for `limit` tasks
      limit = 2 * query.limit;
    }
    if (query.states?.length) add(`h.state IN (${query.states.map(() => '?').join(', ')})`, ...query.states);
    if (query.name !== undefined) add('h.name = ?', query.name);
    if (query.queue !== undefined) add('h.queue = ?', query.queue);
    if (query.worker !== undefined) add('h.worker = ?', query.worker);
    if (query.parent !== undefined) add('h.parent_id = ?', query.parent);
    if (query.since !== undefined) add('h.received_at >= ?', query.since);
    if (query.until !== undefined) add('h.received_at < ?', query.until);
    if (before !== undefined) add(`${order} < ?`, before);
    const sql =
      `SELECT h.* FROM ${from}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ` +
      `ORDER BY ${order} DESC LIMIT ?`;
    const rows = (this.prepare(sql).all(...params, limit) as DbRecord[]).map(fromRecord);
    return Promise.resolve(first === undefined ? rows : distinctTasks(rows, query.limit));
  }

  stats(fromMinute: number, toMinute: number): Promise<StatsRow[]> {
    const records = this.prepare('SELECT * FROM task_stats WHERE minute >= ? AND minute < ?').all(
      fromMinute,
      toMinute,
    ) as DbRecord[];
    return Promise.resolve(records.map(statsFromRecord));
  }

  dueForCheck(now: number, limit: number): Promise<HistoryRow[]> {
    const sql = `SELECT * FROM task_history WHERE ${HISTORY_UNFINISHED} AND check_after <= ? ORDER BY check_after LIMIT ?`;
    return Promise.resolve((this.prepare(sql).all(now, limit) as DbRecord[]).map(fromRecord));
  }

  prune(cutoff: number, batch: number): Promise<number> {
    return this.transaction(() => {
      const seqs = (
        this.prepare('SELECT seq FROM task_history WHERE received_at < ? LIMIT ?').all(cutoff, batch) as {
          seq: number;
        }[]
      ).map((r) => r.seq);
      for (let i = 0; i < seqs.length; i += CHUNK) {
        const chunk = seqs.slice(i, i + CHUNK);
        const list = chunk.map(() => '?').join(',');
        this.prepare(`DELETE FROM task_history WHERE seq IN (${list})`).run(...chunk);
        const docs = chunk.flatMap((seq) => [argumentsDoc(seq), outcomeDoc(seq)]);
        this.prepare(`DELETE FROM task_history_fts WHERE rowid IN (${list},${list})`).run(...docs);
      }
      this.prepare(
        'DELETE FROM task_stats WHERE (minute, name) IN (SELECT minute, name FROM task_stats WHERE minute < ? LIMIT ?)',
      ).run(Math.floor(cutoff / 60_000), batch);
      return seqs.length;
    });
  }
}

/** Each task once (the first of its rows, which come side by side), at most `limit` of them. */
function distinctTasks(rows: readonly HistoryRow[], limit: number): HistoryRow[] {
  const tasks: HistoryRow[] = [];
  for (const row of rows) {
    if (tasks.length === limit) break;
    if (tasks[tasks.length - 1]?.seq !== row.seq) tasks.push(row);
  }
  return tasks;
}
