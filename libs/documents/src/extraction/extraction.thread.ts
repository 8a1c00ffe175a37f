import type { DocumentType } from '../entities/document.entity.js';
import { extractText } from './extract-text.js';

export interface ExtractRequest {
  bytes: Uint8Array;
  type: DocumentType;
}

/** The extraction thread: PDF and DOCX parsing are CPU work, kept off the worker's event loop. */
export default function extract({ bytes, type }: ExtractRequest): Promise<string> {
  return extractText(bytes, type);
}
