import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A task's outcome document, as `outcomeText` in libs/history writes it (none when it is empty). */
const OUTCOME_TEXT = `trim(coalesce(result, '') || ' ' || coalesce(error, ''))`;

async function createIndex(queryRunner: QueryRunner): Promise<void> {
  await queryRunner.query(
    `CREATE VIRTUAL TABLE task_history_fts USING fts5(body, tokenize = 'trigram', content = '', contentless_delete = 1)`,
  );
}

/**
 * SQLite's history search index, rebuilt with two documents per task instead of one: its arguments (FTS5
 * rowid 2·seq, written when it is queued) and its outcome, result and error (rowid 2·seq + 1, written once
 * when it ends). The one document of before was replaced when the task ended, and an FTS5 replace (delete,
 * then insert of the whole text again) was the costliest part of recording a task's end. A query matches each
 * of its terms in either document (`libs/history/src/store/sqlite-history-store.ts`). PostgreSQL: unchanged.
 */
export class SplitHistorySearch1772841600000 implements MigrationInterface {
  name = 'SplitHistorySearch1772841600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type === 'postgres') return;
    await queryRunner.query('DROP TABLE task_history_fts');
    await createIndex(queryRunner);
    await queryRunner.query(
      `INSERT INTO task_history_fts (rowid, body) SELECT 2 * seq, kwargs FROM task_history`,
    );
    await queryRunner.query(
      `INSERT INTO task_history_fts (rowid, body) SELECT 2 * seq + 1, ${OUTCOME_TEXT} FROM task_history
       WHERE ${OUTCOME_TEXT} <> ''`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type === 'postgres') return;
    await queryRunner.query('DROP TABLE task_history_fts');
    await createIndex(queryRunner);
    await queryRunner.query(
      `INSERT INTO task_history_fts (rowid, body)
       SELECT seq, kwargs || ' ' || coalesce(result, '') || ' ' || coalesce(error, '') FROM task_history`,
    );
  }
}
