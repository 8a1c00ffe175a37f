import type { DocumentType } from '../entities/document.entity.js';
import { extractText, ExtractionError } from './extract-text.js';

export interface ExtractRequest {
  bytes: Uint8Array;
  type: DocumentType;
}

/** The text, or why the file has none: a plain object, because an error's class does not cross threads. */
export type ExtractReply = { text: string } | { unreadable: string };

/** The extraction thread: PDF and DOCX parsing are CPU work, kept off the worker's event loop. */
export default async function extract({ bytes, type }: ExtractRequest): Promise<ExtractReply> {
  try {
    return { text: await extractText(bytes, type) };
  } catch (error) {
    if (error instanceof ExtractionError) return { unreadable: error.message };
    throw error;
  }
}
