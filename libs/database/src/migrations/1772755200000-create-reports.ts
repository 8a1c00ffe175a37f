import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** The weekly reports (libs/housekeeping). */
export class CreateReports1772755200000 implements MigrationInterface {
  name = 'CreateReports1772755200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'reports',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'period_start', type: 'bigint' },
          { name: 'period_end', type: 'bigint' },
          { name: 'created_at', type: 'bigint' },
          { name: 'figures', type: 'text' },
          { name: 'mail_id', type: 'varchar', length: '300', isNullable: true },
          { name: 'recipients', type: 'text' },
        ],
        indices: [new TableIndex({ name: 'idx_reports_period_end', columnNames: ['period_end'] })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('reports');
  }
}
