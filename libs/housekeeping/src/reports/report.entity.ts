import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A weekly report (`reports`, migration in libs/database): the figures as JSON, and whether it was mailed. */
@Entity({ name: 'reports' })
export class ReportEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ name: 'period_start', type: 'bigint' }) periodStart!: string;
  @Column({ name: 'period_end', type: 'bigint' }) periodEnd!: string;
  @Column({ name: 'created_at', type: 'bigint' }) createdAt!: string;
  /** JSON: `WeeklyFigures`. */
  @Column({ type: 'text' }) figures!: string;
  /** The message id of the mail, once sent. */
  @Column({ name: 'mail_id', type: 'varchar', length: 300, nullable: true }) mailId!: string | null;
  /** JSON list of the addresses it was mailed to. */
  @Column({ type: 'text' }) recipients!: string;
}
