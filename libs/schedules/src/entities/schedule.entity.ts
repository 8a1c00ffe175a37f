import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One periodic task (`schedules`, created by migration in libs/database): declared in code (`source` = `code`,
 * upserted at start) or added at run time (`api`). What it does at each tick; the beats' own state (last tick,
 * last task) lives in Redis. Times are epoch milliseconds.
 */
@Entity({ name: 'schedules' })
export class ScheduleEntity {
  @PrimaryColumn({ type: 'varchar', length: 100 }) name!: string;
  @Column({ type: 'varchar', length: 200 }) task!: string;
  /** JSON. */
  @Column({ type: 'text' }) kwargs!: string;
  @Column({ type: 'varchar', length: 200, nullable: true }) cron!: string | null;
  @Column({ type: 'integer', nullable: true }) every!: number | null;
  @Column({ type: 'varchar', length: 64 }) timezone!: string;
  /** JSON: queue, priority, expires. */
  @Column({ type: 'text' }) options!: string;
  @Column({ type: 'varchar', length: 16 }) overlap!: string;
  @Column({ type: 'integer' }) catchup!: number;
  @Column({ type: 'smallint' }) paused!: number;
  @Column({ type: 'varchar', length: 8 }) source!: string;
  /** What the declaration in code said (a hash), so that a replica starting with the same one changes nothing. */
  @Column({ type: 'varchar', length: 64 }) fingerprint!: string;
  @Column({ name: 'created_at', type: 'bigint' }) createdAt!: string;
  @Column({ name: 'updated_at', type: 'bigint' }) updatedAt!: string;
}
