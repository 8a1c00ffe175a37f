import { ExtractionError, PermanentEmbeddingError } from '@app/documents';
import { PermanentTaskError } from '@app/tasks';

/**
 * What a failed document step records on the document and rethrows to the retry policy. When the task's
 * signal fired, the signal's reason is the cause (the soft time limit and its value, or a terminate), not the
 * "aborted" error of whatever it cut short (a thread pool's "The task has been aborted", fetch's AbortError).
 * Errors that retrying cannot fix become permanent; the rest keep their type.
 */
export function documentFailure(error: unknown, signal?: AbortSignal): Error {
  const cause: unknown = signal?.aborted ? signal.reason : error;
  if (cause instanceof PermanentTaskError) return cause;
  if (cause instanceof ExtractionError || cause instanceof PermanentEmbeddingError) {
    return new PermanentTaskError(cause.message);
  }
  return cause instanceof Error ? cause : new Error(String(cause));
}
