import {
  Table,
  TableForeignKey,
  TableIndex,
  TableUnique,
  type MigrationInterface,
  type QueryRunner,
} from 'typeorm';

/** Column types that differ between the drivers we support. */
function types(queryRunner: QueryRunner): { uuid: string; binary: string; time: string; now: string } {
  return queryRunner.connection.options.type === 'postgres'
    ? { uuid: 'uuid', binary: 'bytea', time: 'timestamp', now: 'now()' }
    : { uuid: 'varchar', binary: 'blob', time: 'datetime', now: "datetime('now')" };
}

/** `documents` and `document_chunks`, written with the Table API so that one migration serves SQLite and PostgreSQL. */
export class CreateDocuments1732780800000 implements MigrationInterface {
  name = 'CreateDocuments1732780800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const t = types(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'documents',
        columns: [
          { name: 'id', type: t.uuid, length: t.uuid === 'varchar' ? '36' : undefined, isPrimary: true },
          { name: 'title', type: 'varchar', length: '500' },
          { name: 'filename', type: 'varchar', length: '255' },
          { name: 'stored_name', type: 'varchar', length: '255', isNullable: true },
          { name: 'content_hash', type: 'varchar', length: '64', isNullable: true },
          { name: 'mime_type', type: 'varchar', length: '100', isNullable: true },
          { name: 'doc_type', type: 'varchar', length: '10', isNullable: true },
          { name: 'size', type: 'integer', default: 0 },
          { name: 'source_url', type: 'text', isNullable: true },
          { name: 'embedding_status', type: 'varchar', length: '20', default: "'pending'" },
          { name: 'chunk_count', type: 'integer', default: 0 },
          { name: 'error', type: 'text', isNullable: true },
          { name: 'embedding_model', type: 'varchar', length: '200', isNullable: true },
          { name: 'task_id', type: 'varchar', length: '64', isNullable: true },
          { name: 'content', type: 'text', isNullable: true },
          { name: 'created_at', type: t.time, default: t.now },
          { name: 'updated_at', type: t.time, default: t.now },
        ],
        checks: [
          {
            name: 'chk_documents_embedding_status',
            expression: "embedding_status IN ('pending', 'processing', 'completed', 'failed')",
          },
        ],
      }),
    );
    await queryRunner.createIndices('documents', [
      new TableIndex({ name: 'idx_documents_content_hash', columnNames: ['content_hash'] }),
      new TableIndex({ name: 'idx_documents_embedding_status', columnNames: ['embedding_status'] }),
    ]);
    await queryRunner.createTable(
      new Table({
        name: 'document_chunks',
        columns: [
          { name: 'id', type: t.uuid, length: t.uuid === 'varchar' ? '36' : undefined, isPrimary: true },
          { name: 'document_id', type: t.uuid, length: t.uuid === 'varchar' ? '36' : undefined },
          { name: 'chunk_index', type: 'integer' },
          { name: 'text', type: 'text' },
          { name: 'embedding', type: t.binary },
          { name: 'dimensions', type: 'integer' },
          { name: 'embedding_model', type: 'varchar', length: '200' },
          { name: 'created_at', type: t.time, default: t.now },
        ],
        uniques: [
          new TableUnique({
            name: 'uq_document_chunks_document_index',
            columnNames: ['document_id', 'chunk_index'],
          }),
        ],
        foreignKeys: [
          new TableForeignKey({
            name: 'fk_document_chunks_document',
            columnNames: ['document_id'],
            referencedTableName: 'documents',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          }),
        ],
        indices: [new TableIndex({ name: 'idx_document_chunks_model', columnNames: ['embedding_model'] })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('document_chunks');
    await queryRunner.dropTable('documents');
  }
}
