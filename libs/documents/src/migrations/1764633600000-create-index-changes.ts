import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';

/** `document_index_changes`: the log that search indexes follow (see `DocumentIndexChange`). */
export class CreateIndexChanges1764633600000 implements MigrationInterface {
  name = 'CreateIndexChanges1764633600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const postgres = queryRunner.connection.options.type === 'postgres';
    await queryRunner.createTable(
      new Table({
        name: 'document_index_changes',
        columns: [
          {
            name: 'seq',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'document_id', type: 'varchar', length: '36' },
          {
            name: 'created_at',
            type: postgres ? 'timestamp' : 'datetime',
            default: postgres ? 'now()' : "datetime('now')",
          },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('document_index_changes');
  }
}
