import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One task's history row (`task_history`, created by migration). Reads and writes go through the
 * `HistoryStore` in batches; the entity describes the table for TypeORM (and for queries that want it).
 * Times are epoch milliseconds.
 */
@Entity({ name: 'task_history' })
export class TaskHistoryEntity {
  @PrimaryColumn({ type: 'bigint' }) seq!: string;
  @Column({ type: 'varchar', length: 64, unique: true }) id!: string;
  @Column({ type: 'varchar', length: 200 }) name!: string;
  @Column({ type: 'varchar', length: 100 }) queue!: string;
  @Column({ type: 'varchar', length: 16 }) state!: string;
  /** JSON, secrets redacted, capped at HISTORY_RESULT_MAX_BYTES. */
  @Column({ type: 'text' }) kwargs!: string;
  @Column({ name: 'kwargs_truncated', type: 'smallint' }) kwargsTruncated!: number;
  @Column({ name: 'parent_id', type: 'varchar', length: 64, nullable: true }) parentId!: string | null;
  @Column({ name: 'request_id', type: 'varchar', length: 200, nullable: true }) requestId!: string | null;
  @Column({ name: 'received_at', type: 'bigint' }) receivedAt!: string;
  @Column({ type: 'bigint', nullable: true }) eta!: string | null;
  @Column({ name: 'started_at', type: 'bigint', nullable: true }) startedAt!: string | null;
  @Column({ name: 'date_done', type: 'bigint', nullable: true }) dateDone!: string | null;
  @Column({ type: 'integer' }) retries!: number;
  @Column({ type: 'varchar', length: 200, nullable: true }) worker!: string | null;
  @Column({ name: 'runtime_ms', type: 'bigint', nullable: true }) runtimeMs!: string | null;
  @Column({ name: 'wait_ms', type: 'bigint', nullable: true }) waitMs!: string | null;
  @Column({ type: 'text', nullable: true }) result!: string | null;
  @Column({ name: 'result_truncated', type: 'smallint' }) resultTruncated!: number;
  @Column({ type: 'text', nullable: true }) error!: string | null;
  @Column({ type: 'text', nullable: true }) traceback!: string | null;
  /** JSON list of `Transition`s. */
  @Column({ type: 'text' }) transitions!: string;
  @Column({ name: 'last_event_at', type: 'bigint' }) lastEventAt!: string;
  @Column({ name: 'check_after', type: 'bigint' }) checkAfter!: string;
}

/** Per minute and task name (`task_stats`): counts and sparse log-scale histograms (JSON). */
@Entity({ name: 'task_stats' })
export class TaskStatsEntity {
  /** Epoch minute. */
  @PrimaryColumn({ type: 'bigint' }) minute!: string;
  @PrimaryColumn({ type: 'varchar', length: 200 }) name!: string;
  @Column({ type: 'integer' }) succeeded!: number;
  @Column({ type: 'integer' }) failed!: number;
  @Column({ type: 'integer' }) retried!: number;
  @Column({ type: 'integer' }) revoked!: number;
  @Column({ name: 'runtime_hist', type: 'text' }) runtimeHist!: string;
  @Column({ name: 'wait_hist', type: 'text' }) waitHist!: string;
}

/** How far into the events stream the history is, moved in the same transaction as its rows. */
@Entity({ name: 'task_history_cursor' })
export class TaskHistoryCursorEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 }) name!: string;
  @Column({ name: 'stream_id', type: 'varchar', length: 64 }) streamId!: string;
}
