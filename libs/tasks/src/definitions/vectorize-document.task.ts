import { IsUUID } from 'class-validator';
import { defineTask } from '../core/define-task.js';

export class VectorizeDocumentPayload {
  @IsUUID() document_id!: string;
}

export interface VectorizeDocumentResult {
  success: true;
  document_id: string;
  embeddings_count: number;
}

/**
 * The seed's `vectorize_document`: `embedding_status` → processing; the text (extracted from the stored file
 * if need be) is chunked. Up to `VECTORIZE_BATCH_CHUNKS` chunks: each chunk is embedded (PROGRESS after each)
 * and the chunks replace the old ones in one transaction → completed with `chunk_count`. More: the chunks are
 * staged and the task replaces itself with a chord of `tasks.embedding.vectorize_batch` members (run in
 * parallel) and the body `tasks.embedding.save`, which swaps the new chunks in at once; its result becomes this
 * task's. Any error → failed, retried 3 times 60 s apart; a missing document is a permanent failure.
 * Idempotent: a re-run never duplicates chunks, and search never sees a partial new set.
 */
export const VectorizeDocument = defineTask<VectorizeDocumentPayload, VectorizeDocumentResult>({
  name: 'tasks.embedding.vectorize',
  params: ['document_id'],
  payload: VectorizeDocumentPayload,
  retry: { maxRetries: 3, delay: 60 },
  description:
    'Chunks a document, embeds each chunk (in parallel batches when large) and stores the vectors.',
});
