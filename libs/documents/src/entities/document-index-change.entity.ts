import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One change to a document's searchable chunks (vectorized, re-vectorized or deleted), written in the same
 * transaction as the change itself. Every API replica follows this log to keep its search index in step;
 * `seq` only grows, in commit order.
 */
@Entity({ name: 'document_index_changes' })
export class DocumentIndexChange {
  @PrimaryGeneratedColumn('increment') seq!: number;

  /** Not a foreign key: the row outlives a deleted document, which is what tells replicas it has gone. */
  @Column({ name: 'document_id', type: 'varchar', length: 36 }) documentId!: string;

  @CreateDateColumn({ name: 'created_at' }) createdAt!: Date;
}
