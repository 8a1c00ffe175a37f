import { IsInt, IsString, IsUUID, Length, Max, Min } from 'class-validator';
import { defineTask } from '../core/define-task.js';

export class VectorizeBatchPayload {
  @IsUUID() document_id!: string;
  /** The vectorization run the batch belongs to (the id of the task that planned it). */
  @IsString() @Length(1, 64) generation!: string;
  /** First chunk index of the batch (included). */
  @IsInt() @Min(0) @Max(100_000_000) start!: number;
  /** Last chunk index of the batch (excluded); greater than `start`. */
  @IsInt() @Min(1) @Max(100_000_000) end!: number;
}

export interface VectorizeBatchResult {
  document_id: string;
  generation: string;
  start: number;
  end: number;
  embedded: number;
  embedding_model: string;
}

/**
 * One batch of a large document's vectorization: embeds the staged chunks `start`..`end - 1` of a generation
 * (PROGRESS per embedding call) and writes their vectors into the staged rows, never into the searchable
 * chunks. Idempotent: a re-run writes the same rows. A member of the chord `tasks.embedding.vectorize`
 * replaces itself with; the chord's body `tasks.embedding.save` commits the document whole.
 */
export const VectorizeBatch = defineTask<VectorizeBatchPayload, VectorizeBatchResult>({
  name: 'tasks.embedding.vectorize_batch',
  params: ['document_id', 'generation', 'start', 'end'],
  payload: VectorizeBatchPayload,
  retry: { maxRetries: 3, delay: 60 },
  description: "Embeds one batch of a large document's staged chunks.",
});
