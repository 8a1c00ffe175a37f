import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const EmbeddingStatus = {
  Pending: 'pending',
  Processing: 'processing',
  Completed: 'completed',
  Failed: 'failed',
} as const;
export type EmbeddingStatus = (typeof EmbeddingStatus)[keyof typeof EmbeddingStatus];

/** The document types we accept, by content. */
export const DOCUMENT_TYPES = ['txt', 'md', 'html', 'pdf', 'docx'] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

/** An uploaded (or downloaded) course document and the state of its vectorization. */
@Entity({ name: 'documents' })
export class Document {
  @PrimaryGeneratedColumn('uuid') id!: string;

  @Column({ type: 'varchar', length: 500 }) title!: string;

  /** The client's file name, reduced to a safe base name; for display only. */
  @Column({ type: 'varchar', length: 255 }) filename!: string;

  /** Our name for the file under UPLOAD_DIR (`<id>.<ext>`); never derived from the client's name. */
  @Column({ name: 'stored_name', type: 'varchar', length: 255, nullable: true }) storedName!: string | null;

  /** SHA-256 of the file's bytes, hex. */
  @Index('idx_documents_content_hash')
  @Column({ name: 'content_hash', type: 'varchar', length: 64, nullable: true })
  contentHash!: string | null;

  @Column({ name: 'mime_type', type: 'varchar', length: 100, nullable: true }) mimeType!: string | null;

  @Column({ name: 'doc_type', type: 'varchar', length: 10, nullable: true }) docType!: DocumentType | null;

  /** Bytes. */
  @Column({ type: 'integer', default: 0 }) size!: number;

  /** Where it was downloaded from, for `POST /documents {url}`. */
  @Column({ name: 'source_url', type: 'text', nullable: true }) sourceUrl!: string | null;

  @Index('idx_documents_embedding_status')
  @Column({ name: 'embedding_status', type: 'simple-enum', enum: EmbeddingStatus, default: 'pending' })
  embeddingStatus!: EmbeddingStatus;

  @Column({ name: 'chunk_count', type: 'integer', default: 0 }) chunkCount!: number;

  @Column({ type: 'text', nullable: true }) error!: string | null;

  /** Provider/model id of the stored vectors. */
  @Column({ name: 'embedding_model', type: 'varchar', length: 200, nullable: true })
  embeddingModel!: string | null;

  /** The last task queued for this document (download, extract or vectorize). */
  @Column({ name: 'task_id', type: 'varchar', length: 64, nullable: true }) taskId!: string | null;

  /** Extracted plain text; not loaded unless asked for. */
  @Column({ type: 'text', nullable: true, select: false }) content?: string | null;

  @CreateDateColumn({ name: 'created_at' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at' }) updatedAt!: Date;
}
