import { Table, TableForeignKey, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * `document_chunks_staged`: chunks of a vectorization in progress (see `StagedChunk`), written batch by batch
 * and moved into `document_chunks` in one transaction once every batch is done. Table API, as the others, so
 * that one migration serves SQLite and PostgreSQL.
 */
export class CreateStagedChunks1767225600000 implements MigrationInterface {
  name = 'CreateStagedChunks1767225600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const postgres = queryRunner.connection.options.type === 'postgres';
    const uuid = postgres ? { type: 'uuid' } : { type: 'varchar', length: '36' };
    await queryRunner.createTable(
      new Table({
        name: 'document_chunks_staged',
        columns: [
          { name: 'generation', type: 'varchar', length: '64', isPrimary: true },
          { name: 'chunk_index', type: 'integer', isPrimary: true },
          { name: 'chunk_id', ...uuid },
          { name: 'document_id', ...uuid },
          { name: 'text', type: 'text' },
          { name: 'embedding', type: postgres ? 'bytea' : 'blob', isNullable: true },
          { name: 'dimensions', type: 'integer', isNullable: true },
          { name: 'embedding_model', type: 'varchar', length: '200', isNullable: true },
          {
            name: 'created_at',
            type: postgres ? 'timestamp' : 'datetime',
            default: postgres ? 'now()' : "datetime('now')",
          },
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_document_chunks_staged_document',
            columnNames: ['document_id'],
            referencedTableName: 'documents',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
        ],
        indices: [
          new TableIndex({ name: 'idx_document_chunks_staged_document', columnNames: ['document_id'] }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('document_chunks_staged');
  }
}
