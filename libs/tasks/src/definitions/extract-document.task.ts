import { IsUUID } from 'class-validator';
import { defineTask } from '../core/define-task.js';

export class ExtractDocumentPayload {
  @IsUUID() document_id!: string;
}

export interface ExtractDocumentResult {
  document_id: string;
  characters: number;
  /** The next step of the chain, `tasks.embedding.vectorize`. */
  next_task_id: string;
}

/**
 * Second step of the URL chain: extracts the stored file's text (on a worker thread), saves it on the
 * document, then queues `tasks.embedding.vectorize`. An unreadable file is a permanent failure.
 */
export const ExtractDocument = defineTask<ExtractDocumentPayload, ExtractDocumentResult>({
  name: 'tasks.documents.extract',
  params: ['document_id'],
  payload: ExtractDocumentPayload,
  retry: { maxRetries: 3 },
  description: "Extracts a stored document's text, then queues its vectorization.",
});
