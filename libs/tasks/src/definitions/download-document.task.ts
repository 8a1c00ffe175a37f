import { IsUUID, IsUrl, MaxLength } from 'class-validator';
import { defineTask } from '../core/define-task.js';

export class DownloadDocumentPayload {
  @IsUUID() document_id!: string;

  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  @MaxLength(2000)
  url!: string;
}

export interface DownloadDocumentResult {
  document_id: string;
  size: number;
  doc_type: string;
}

/**
 * First step of the URL chain (download → extract → vectorize → save): fetches the URL (bounded in size and
 * time), checks the type by content and stores the file. Network errors and 5xx are retried; 4xx, an oversized
 * or unsupported file are permanent.
 */
export const DownloadDocument = defineTask<DownloadDocumentPayload, DownloadDocumentResult>({
  name: 'tasks.documents.download',
  params: ['document_id', 'url'],
  payload: DownloadDocumentPayload,
  // it only awaits I/O: a thread would add a hop and protect nothing
  isolation: 'none',
  retry: { maxRetries: 3 },
  description: 'Downloads a document from a URL and stores the file.',
});
