import { compareStreamIds } from '@app/tasks';
import { HISTORY_SEARCH_EXPRESSION, HISTORY_UNFINISHED } from '@app/database';
import type { DataSource, QueryRunner } from 'typeorm';
import type { HistoryRow } from '../history-row.js';
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
import { statsKey } from '../batch-plan.js';

/** Rows per multi-row statement: 23 parameters each, well under PostgreSQL's 65,535. */
const ROWS_PER_STATEMENT = 1000;

/** A LIKE pattern matching `term` anywhere, its own `%`, `_` and `\` taken literally. */
export function containsPattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** `($1, $2, …), (…)` for `rows` rows of `width` parameters, numbered from `first`. */
function placeholders(rows: number, width: number, first = 1): string {
  const groups: string[] = [];
  for (let r = 0; r < rows; r++) {
    const group = Array.from({ length: width }, (_, c) => `$${first + r * width + c}`);
    groups.push(`(${group.join(', ')})`);
  }
  return groups.join(', ');
}

/**
 * The history on PostgreSQL: each write one transaction on a pooled connection, rows and stats written with
 * multi-row upserts (a batch of 2,000 events is a handful of statements). The first statement takes the
 * cursor row's lock, which orders overlapping recorders and the maintenance writes.
 */
export class PostgresHistoryStore implements HistoryStore {
  constructor(private readonly dataSource: DataSource) {}

  private async transaction<T>(work: (runner: QueryRunner) => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      try {
        const result = await work(runner);
        await runner.commitTransaction();
        return result;
      } catch (error) {
        await runner.rollbackTransaction().catch(() => undefined);
        throw error;
      }
    } finally {
      await runner.release();
    }
  }

  private query<T = DbRecord>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return this.dataSource.query(sql, [...params]);
  }

  async cursor(): Promise<string> {
    const rows = await this.query<{ stream_id: string }>(
      'SELECT stream_id FROM task_history_cursor WHERE name = $1',
      [HISTORY_CURSOR_NAME],
    );
    return rows[0]?.stream_id ?? '0-0';
  }

  write(ids: readonly string[], plan: Planner, move?: CursorMove): Promise<boolean> {
    return this.transaction(async (runner) => {
      const q = async (sql: string, params: readonly unknown[] = []): Promise<DbRecord[]> =>
        (await runner.query(sql, [...params])) as DbRecord[];
      if (move) {
        const moved = await q(
          'UPDATE task_history_cursor SET stream_id = $1 WHERE name = $2 AND stream_id = $3 RETURNING name',
          [move.to, HISTORY_CURSOR_NAME, move.from],
        );
        if (moved.length === 0) {
          const stored = (
            await q('SELECT stream_id FROM task_history_cursor WHERE name = $1', [HISTORY_CURSOR_NAME])
          )[0]?.stream_id as string | undefined;
          if (stored === undefined || compareStreamIds(stored, move.from) < 0) {
            throw new Error(`history cursor is ${stored ?? 'missing'}, behind the batch from ${move.from}`);
          }
          return false;
        }
      } else {
        await q('SELECT name FROM task_history_cursor WHERE name = $1 FOR UPDATE', [HISTORY_CURSOR_NAME]);
      }
      const stored = new Map<string, HistoryRow>();
      if (ids.length > 0) {
        for (const record of await q('SELECT * FROM task_history WHERE id = ANY($1)', [ids])) {
          const row = fromRecord(record);
          stored.set(row.id, row);
        }
      }
      const { rows, stats } = plan(stored);
      const updates = ROW_COLUMNS.filter((c) => c !== 'id').map((c) => `${c} = EXCLUDED.${c}`);
      for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
        const chunk = rows.slice(i, i + ROWS_PER_STATEMENT);
        await q(
          `INSERT INTO task_history (${ROW_COLUMNS.join(', ')}) VALUES ${placeholders(chunk.length, ROW_COLUMNS.length)} ` +
            `ON CONFLICT (id) DO UPDATE SET ${updates.join(', ')}`,
          chunk.flatMap(rowValues),
        );
      }
      if (stats.length > 0) {
        const minutes = [...new Set(stats.map((s) => s.minute))];
        const current = new Map(
          (await q('SELECT * FROM task_stats WHERE minute = ANY($1)', [minutes]))
            .map(statsFromRecord)
            .map((s) => [statsKey(s.minute, s.name), s] as const),
        );
        const merged = stats.map((delta) => addStats(current.get(statsKey(delta.minute, delta.name)), delta));
        const statsUpdates = STATS_COLUMNS.slice(2).map((c) => `${c} = EXCLUDED.${c}`);
        await q(
          `INSERT INTO task_stats (${STATS_COLUMNS.join(', ')}) VALUES ${placeholders(merged.length, STATS_COLUMNS.length)} ` +
            `ON CONFLICT (minute, name) DO UPDATE SET ${statsUpdates.join(', ')}`,
          merged.flatMap(statsValues),
        );
      }
      return true;
    });
  }

  async get(id: string): Promise<HistoryRow | undefined> {
    const records = await this.query('SELECT * FROM task_history WHERE id = $1', [id]);
    return records[0] ? fromRecord(records[0]) : undefined;
  }

  async list(query: HistoryQuery): Promise<HistoryRow[]> {
    const params: RowValue[] = [];
    const p = (value: RowValue): string => {
      params.push(value);
      return `$${params.length}`;
    };
    const where: string[] = [];
    for (const term of query.terms ?? [])
      where.push(`${HISTORY_SEARCH_EXPRESSION} ILIKE ${p(containsPattern(term))}`);
    if (query.states?.length) where.push(`state IN (${query.states.map(p).join(', ')})`);
    if (query.name !== undefined) where.push(`name = ${p(query.name)}`);
    if (query.queue !== undefined) where.push(`queue = ${p(query.queue)}`);
    if (query.worker !== undefined) where.push(`worker = ${p(query.worker)}`);
    if (query.parent !== undefined) where.push(`parent_id = ${p(query.parent)}`);
    if (query.since !== undefined) where.push(`received_at >= ${p(query.since)}`);
    if (query.until !== undefined) where.push(`received_at < ${p(query.until)}`);
    if (query.beforeSeq !== undefined) where.push(`seq < ${p(query.beforeSeq)}`);
    const sql =
      `SELECT * FROM task_history${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ` +
      `ORDER BY seq DESC LIMIT ${p(query.limit)}`;
    return (await this.query(sql, params)).map(fromRecord);
  }

  async stats(fromMinute: number, toMinute: number): Promise<StatsRow[]> {
    const records = await this.query('SELECT * FROM task_stats WHERE minute >= $1 AND minute < $2', [
      fromMinute,
      toMinute,
    ]);
    return records.map(statsFromRecord);
  }

  async dueForCheck(now: number, limit: number): Promise<HistoryRow[]> {
    const records = await this.query(
      `SELECT * FROM task_history WHERE ${HISTORY_UNFINISHED} AND check_after <= $1 ORDER BY check_after LIMIT $2`,
      [now, limit],
    );
    return records.map(fromRecord);
  }

  prune(cutoff: number, batch: number): Promise<number> {
    return this.transaction(async (runner) => {
      await runner.query('SELECT name FROM task_history_cursor WHERE name = $1 FOR UPDATE', [
        HISTORY_CURSOR_NAME,
      ]);
      const deleted = (await runner.query(
        'DELETE FROM task_history WHERE seq IN (SELECT seq FROM task_history WHERE received_at < $1 LIMIT $2) RETURNING seq',
        [cutoff, batch],
      )) as [unknown[], number] | unknown[];
      await runner.query(
        'DELETE FROM task_stats WHERE (minute, name) IN (SELECT minute, name FROM task_stats WHERE minute < $1 LIMIT $2)',
        [Math.floor(cutoff / 60_000), batch],
      );
      return rowCount(deleted);
    });
  }
}

/** TypeORM answers a PostgreSQL DELETE … RETURNING with `[rows, count]`. */
function rowCount(answer: unknown): number {
  if (Array.isArray(answer) && answer.length === 2 && typeof answer[1] === 'number') return answer[1];
  return Array.isArray(answer) ? answer.length : 0;
}
