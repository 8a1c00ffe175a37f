import { IsUUID } from 'class-validator';
import { defineTask } from '../core/define-task.js';

export class ExtractDocumentPayload {
  @IsUUID() document_id!: string;
}

export interface ExtractDocumentResult {
  document_id: string;
  characters: number;
}

/**
 * The step before vectorization (URL chain and upload chain): extracts the stored file's text (on a worker
 * thread) and saves it on the document. An unreadable file is a permanent failure.
 */
export const ExtractDocument = defineTask<ExtractDocumentPayload, ExtractDocumentResult>({
  name: 'tasks.documents.extract',
  params: ['document_id'],
  payload: ExtractDocumentPayload,
  retry: { maxRetries: 3 },
  description: "Extracts a stored document's text and saves it on the document.",
});
