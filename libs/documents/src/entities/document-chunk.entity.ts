import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Unique,
} from 'typeorm';
import { BinaryColumn } from '@app/database';
import { Document } from './document.entity.js';

/** One chunk of a document's text and its embedding (packed little-endian float32). */
@Entity({ name: 'document_chunks' })
@Unique('uq_document_chunks_document_index', ['documentId', 'chunkIndex'])
@Index('idx_document_chunks_model_id', ['embeddingModel', 'id'])
export class DocumentChunk {
  @PrimaryGeneratedColumn('uuid') id!: string;

  @Column({ name: 'document_id', type: 'uuid' }) documentId!: string;

  @ManyToOne(() => Document, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'document_id' })
  document?: Document;

  /** 0, 1, 2… in text order; stable for the same text and chunking settings. */
  @Column({ name: 'chunk_index', type: 'integer' }) chunkIndex!: number;

  @Column({ type: 'text' }) text!: string;

  @BinaryColumn() embedding!: Buffer;

  @Column({ type: 'integer' }) dimensions!: number;

  /** Provider/model id that made the vector; vectors of different ids are never compared. */
  @Column({ name: 'embedding_model', type: 'varchar', length: 200 }) embeddingModel!: string;

  @CreateDateColumn({ name: 'created_at' }) createdAt!: Date;
}
