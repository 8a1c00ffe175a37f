import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

/** Periodic tasks (libs/schedules, docs/SCHEDULES.md): one row per schedule, keyed by its name. */
export class CreateSchedules1772582400000 implements MigrationInterface {
  name = 'CreateSchedules1772582400000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'schedules',
        columns: [
          { name: 'name', type: 'varchar', length: '100', isPrimary: true },
          { name: 'task', type: 'varchar', length: '200' },
          { name: 'kwargs', type: 'text' },
          { name: 'cron', type: 'varchar', length: '200', isNullable: true },
          { name: 'every', type: 'integer', isNullable: true },
          { name: 'timezone', type: 'varchar', length: '64' },
          { name: 'options', type: 'text' },
          { name: 'overlap', type: 'varchar', length: '16' },
          { name: 'catchup', type: 'integer' },
          { name: 'paused', type: 'smallint', default: 0 },
          { name: 'source', type: 'varchar', length: '8' },
          { name: 'fingerprint', type: 'varchar', length: '64' },
          { name: 'created_at', type: 'bigint' },
          { name: 'updated_at', type: 'bigint' },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('schedules');
  }
}
