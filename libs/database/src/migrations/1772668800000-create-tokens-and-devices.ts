import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** API tokens (stored hashed) and classroom devices (libs/housekeeping). */
export class CreateTokensAndDevices1772668800000 implements MigrationInterface {
  name = 'CreateTokensAndDevices1772668800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'api_tokens',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'name', type: 'varchar', length: '200' },
          { name: 'token_hash', type: 'varchar', length: '64', isUnique: true },
          { name: 'expires_at', type: 'bigint' },
          { name: 'created_at', type: 'bigint' },
        ],
        indices: [new TableIndex({ name: 'idx_api_tokens_expires_at', columnNames: ['expires_at'] })],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'devices',
        columns: [
          { name: 'id', type: 'varchar', length: '100', isPrimary: true },
          { name: 'online', type: 'smallint', default: 1 },
          { name: 'last_seen', type: 'bigint' },
          { name: 'status', type: 'text', isNullable: true },
        ],
        indices: [
          new TableIndex({ name: 'idx_devices_online_last_seen', columnNames: ['online', 'last_seen'] }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('devices');
    await queryRunner.dropTable('api_tokens');
  }
}
