import { registerAs } from '@nestjs/config';
import { InvalidSettingsError, settingProblem, validateEnv } from '@app/config';
import { IsInt, IsString, Matches, Max, Min } from 'class-validator';

class DocumentsEnv {
  @IsString() UPLOAD_DIR: string = './var/uploads';
  /** Largest upload (and download) accepted, in bytes; larger → 413. */
  @IsInt() @Min(1) UPLOAD_MAX_BYTES: number = 20 * 1024 * 1024;
  /** Seconds a URL download may take in all. */
  @IsInt() @Min(1) @Max(3600) DOWNLOAD_TIMEOUT: number = 60;
  /** Allow downloads from loopback and private addresses (off: a URL may not reach inside the network). */
  @Matches(/^(true|false|1|0|yes|no|on|off)$/i, { message: 'DOWNLOAD_ALLOW_PRIVATE must be true or false' })
  DOWNLOAD_ALLOW_PRIVATE: string = 'false';
  /** Target chunk size and overlap, in characters. */
  @IsInt() @Min(50) @Max(20_000) CHUNK_SIZE: number = 500;
  @IsInt() @Min(0) @Max(10_000) CHUNK_OVERLAP: number = 80;
  /**
   * Chunks per vectorization batch: a document with more chunks is embedded by a group of batch tasks (across
   * workers and threads) and committed whole at the end; one with fewer stays one task. Small, because the
   * batches a worker has claimed share its embedding threads, and each one's soft limit runs meanwhile: at 200
   * chunks, two default workers on a 2-core machine took over 300 s per batch (docs/DOCUMENTS.md).
   */
  @IsInt() @Min(1) @Max(100_000) VECTORIZE_BATCH_CHUNKS: number = 50;
}

export interface DocumentsConfig {
  uploadDir: string;
  uploadMaxBytes: number;
  downloadTimeoutMs: number;
  downloadAllowPrivate: boolean;
  chunkSize: number;
  chunkOverlap: number;
  vectorizeBatchChunks: number;
}

export function loadDocumentsConfig(env: NodeJS.ProcessEnv = process.env): DocumentsConfig {
  const s = validateEnv(DocumentsEnv, env);
  if (s.CHUNK_OVERLAP >= s.CHUNK_SIZE) {
    throw new InvalidSettingsError([
      settingProblem('CHUNK_OVERLAP', `must be smaller than CHUNK_SIZE (${s.CHUNK_SIZE})`, env),
    ]);
  }
  return {
    uploadDir: s.UPLOAD_DIR,
    uploadMaxBytes: s.UPLOAD_MAX_BYTES,
    downloadTimeoutMs: s.DOWNLOAD_TIMEOUT * 1000,
    downloadAllowPrivate: /^(true|1|yes|on)$/i.test(s.DOWNLOAD_ALLOW_PRIVATE),
    chunkSize: s.CHUNK_SIZE,
    chunkOverlap: s.CHUNK_OVERLAP,
    vectorizeBatchChunks: s.VECTORIZE_BATCH_CHUNKS,
  };
}

export const documentsConfig = registerAs('documents', () => loadDocumentsConfig());
