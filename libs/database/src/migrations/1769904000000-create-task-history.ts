import {
  Table,
  TableIndex,
  type MigrationInterface,
  type QueryRunner,
  type TableColumnOptions,
} from 'typeorm';

/**
 * The text free-text search over history looks in (arguments, result, error). On PostgreSQL its trigram index
 * is built on this very expression, so queries must use it verbatim (`libs/history`).
 */
export const HISTORY_SEARCH_EXPRESSION = `(kwargs || ' ' || coalesce(result, '') || ' ' || coalesce(error, ''))`;

/** Rows not final yet: what the reconciler looks at (a partial index, on SQLite and PostgreSQL alike). */
export const HISTORY_UNFINISHED = `state NOT IN ('SUCCESS', 'FAILURE', 'REVOKED')`;

/**
 * Task history (libs/history, docs/OBSERVABILITY.md): `task_history` (one row per task, `seq` for newest-first
 * keyset paging), `task_history_cursor` (how far into the events stream the rows are, moved in the same
 * transaction as them), `task_stats` (per minute and task name: counts and log-scale histograms), and the
 * free-text index: FTS5 with the trigram tokenizer on SQLite (a contentless table keyed by `seq`; two documents
 * per task since `SplitHistorySearch1772841600000`), pg_trgm's
 * GIN index on PostgreSQL (a trusted extension: the database owner may create it).
 */
export class CreateTaskHistory1769904000000 implements MigrationInterface {
  name = 'CreateTaskHistory1769904000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const postgres = queryRunner.connection.options.type === 'postgres';
    const text = (name: string, nullable = true): TableColumnOptions => ({
      name,
      type: 'text',
      isNullable: nullable,
    });
    const int = (name: string, nullable = true): TableColumnOptions => ({
      name,
      type: 'bigint',
      isNullable: nullable,
    });
    const flag = (name: string): TableColumnOptions => ({ name, type: 'smallint', default: 0 });
    const bySeq = (column: string): TableIndex =>
      new TableIndex({ name: `idx_task_history_${column}_seq`, columnNames: [column, 'seq'] });
    await queryRunner.createTable(
      new Table({
        name: 'task_history',
        columns: [
          {
            name: 'seq',
            type: postgres ? 'bigint' : 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'id', type: 'varchar', length: '64', isUnique: true },
          { name: 'name', type: 'varchar', length: '200' },
          { name: 'queue', type: 'varchar', length: '100' },
          { name: 'state', type: 'varchar', length: '16' },
          text('kwargs', false),
          flag('kwargs_truncated'),
          { name: 'parent_id', type: 'varchar', length: '64', isNullable: true },
          { name: 'request_id', type: 'varchar', length: '200', isNullable: true },
          int('received_at', false),
          int('eta'),
          int('started_at'),
          int('date_done'),
          { name: 'retries', type: 'integer', default: 0 },
          { name: 'worker', type: 'varchar', length: '200', isNullable: true },
          int('runtime_ms'),
          int('wait_ms'),
          text('result'),
          flag('result_truncated'),
          text('error'),
          text('traceback'),
          text('transitions', false),
          int('last_event_at', false),
          int('check_after', false),
        ],
        indices: [
          bySeq('state'),
          bySeq('name'),
          bySeq('queue'),
          bySeq('worker'),
          bySeq('parent_id'),
          // "the failures of one task": with (name, seq) alone, a rare state scans every row of the name
          new TableIndex({ name: 'idx_task_history_name_state_seq', columnNames: ['name', 'state', 'seq'] }),
          new TableIndex({ name: 'idx_task_history_received_at', columnNames: ['received_at'] }),
          new TableIndex({
            name: 'idx_task_history_unfinished',
            columnNames: ['check_after'],
            where: HISTORY_UNFINISHED,
          }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'task_history_cursor',
        columns: [
          { name: 'name', type: 'varchar', length: '64', isPrimary: true },
          { name: 'stream_id', type: 'varchar', length: '64' },
        ],
      }),
    );
    await queryRunner.query(`INSERT INTO task_history_cursor (name, stream_id) VALUES ('history', '0-0')`);
    await queryRunner.createTable(
      new Table({
        name: 'task_stats',
        columns: [
          { name: 'minute', type: 'bigint', isPrimary: true },
          { name: 'name', type: 'varchar', length: '200', isPrimary: true },
          { name: 'succeeded', type: 'integer', default: 0 },
          { name: 'failed', type: 'integer', default: 0 },
          { name: 'retried', type: 'integer', default: 0 },
          { name: 'revoked', type: 'integer', default: 0 },
          text('runtime_hist', false),
          text('wait_hist', false),
        ],
      }),
    );
    if (postgres) {
      await queryRunner.query('CREATE EXTENSION IF NOT EXISTS pg_trgm');
      // the operator class lives in the extension's schema, which need not be on this connection's search_path
      const [found] = (await queryRunner.query(
        `SELECT n.nspname AS schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'`,
      )) as { schema: string }[];
      const opclass = `"${(found?.schema ?? 'public').replace(/"/g, '""')}".gin_trgm_ops`;
      await queryRunner.query(
        `CREATE INDEX idx_task_history_search ON task_history USING gin (${HISTORY_SEARCH_EXPRESSION} ${opclass})`,
      );
    } else {
      await queryRunner.query(
        `CREATE VIRTUAL TABLE task_history_fts USING fts5(body, tokenize = 'trigram', content = '', contentless_delete = 1)`,
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type !== 'postgres')
      await queryRunner.query('DROP TABLE task_history_fts');
    await queryRunner.dropTable('task_stats');
    await queryRunner.dropTable('task_history_cursor');
    await queryRunner.dropTable('task_history');
  }
}
