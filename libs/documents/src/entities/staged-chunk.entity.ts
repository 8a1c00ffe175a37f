import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { BinaryColumn } from '@app/database';
import { Document } from './document.entity.js';

/**
 * A chunk of a vectorization in progress, kept apart from `document_chunks` until the whole document is
 * embedded: search reads only `document_chunks`, so it never sees a partial new set. One `generation` per
 * vectorization run (the id of the task that planned it); its batches fill in the embeddings of their range,
 * and the commit moves the complete generation into `document_chunks` in one transaction. A document has at
 * most one staged generation: a newer run's staging removes an older one.
 */
@Entity({ name: 'document_chunks_staged' })
@Index('idx_document_chunks_staged_document', ['documentId'])
export class StagedChunk {
  @PrimaryColumn({ type: 'varchar', length: 64 }) generation!: string;

  @PrimaryColumn({ name: 'chunk_index', type: 'integer' }) chunkIndex!: number;

  /** The id the chunk gets in `document_chunks` once committed. */
  @Column({ name: 'chunk_id', type: 'uuid' }) chunkId!: string;

  @Column({ name: 'document_id', type: 'uuid' }) documentId!: string;

  @ManyToOne(() => Document, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'document_id' })
  document?: Document;

  @Column({ type: 'text' }) text!: string;

  /** Null until the chunk's batch has embedded it. */
  @BinaryColumn({ nullable: true }) embedding!: Buffer | null;

  @Column({ type: 'integer', nullable: true }) dimensions!: number | null;

  @Column({ name: 'embedding_model', type: 'varchar', length: 200, nullable: true })
  embeddingModel!: string | null;

  @CreateDateColumn({ name: 'created_at' }) createdAt!: Date;
}
