import { ArrayMaxSize, IsArray, IsInt, IsObject, IsString, IsUUID, Length, Max, Min } from 'class-validator';
import { defineTask } from '../core/define-task.js';
import type { VectorizeBatchResult } from './vectorize-batch.task.js';
import type { VectorizeDocumentResult } from './vectorize-document.task.js';

export class SaveChunksPayload {
  /** The batches' results, in order: the chord's header results, prepended by the workflow. */
  @IsArray()
  @ArrayMaxSize(1_000_000)
  @IsObject({ each: true })
  batches!: VectorizeBatchResult[];

  @IsUUID() document_id!: string;
  @IsString() @Length(1, 64) generation!: string;
  /** How many chunks the generation has: the commit refuses anything else. */
  @IsInt() @Min(0) @Max(100_000_000) chunks!: number;
}

/**
 * The save step of a batched vectorization (the chord body): if every batch reported its chunks and every
 * staged chunk of the generation has its vector, the document's chunks are replaced by them in one
 * transaction and it is marked completed with `chunk_count`; otherwise nothing changes and it fails. Its result
 * is `tasks.embedding.vectorize`'s, which it becomes.
 */
export const SaveChunks = defineTask<SaveChunksPayload, VectorizeDocumentResult>({
  name: 'tasks.embedding.save',
  params: ['batches', 'document_id', 'generation', 'chunks'],
  payload: SaveChunksPayload,
  retry: { maxRetries: 3 },
  description: "Commits a batched vectorization: swaps in the document's new chunks at once.",
});
