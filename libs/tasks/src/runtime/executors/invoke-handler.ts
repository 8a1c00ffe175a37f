import { NotJsonError, PayloadValidationError, PermanentTaskError } from '../../core/errors.js';
import { assertJsonSafe } from '../../core/json.js';
import { validatePayload } from '../../core/payload.js';
import { payloadSchema } from '../../core/payload-schema.js';
import { TaskContext } from '../../core/task-context.js';
import type { TaskProgress } from '../../core/task-state.js';
import type { HandlerRegistry } from '../handler-registry.js';
import type { LazyAbort } from './lazy-abort.js';
import type { ExecutionRequest } from './task-executor.js';

/**
 * Runs one task's handler wherever the executor lives: re-validates the payload unless the producer checked
 * it against these very rules (it may have been queued by older code), builds the context, and checks the
 * result is JSON. Bad payloads, unknown names and results
 * JSON cannot carry are permanent failures; whatever else the handler throws is left to the retry policy.
 */
export async function invokeHandler(
  handlers: HandlerRegistry,
  request: ExecutionRequest,
  abort: LazyAbort,
  onProgress: (progress: TaskProgress) => Promise<void>,
): Promise<unknown> {
  const handler = handlers.get(request.name);
  if (!handler) throw new PermanentTaskError(`Unknown task: ${request.name} (no handler in this worker)`);
  let payload = request.payload as object;
  try {
    if (request.schema === undefined || request.schema !== payloadSchema(handler.task)) {
      payload = validatePayload(handler.task, request.payload);
    }
  } catch (error) {
    if (error instanceof PayloadValidationError || error instanceof NotJsonError) {
      throw new PermanentTaskError(`Invalid payload: ${error.message}`);
    }
    throw error;
  }
  const ctx = new TaskContext(
    request.id,
    request.name,
    request.queue,
    request.retries,
    request.maxRetries,
    abort,
    onProgress,
  );
  let result: unknown;
  try {
    result = (await handler.call(payload, ctx)) ?? null;
  } catch (error) {
    // an aborted sleep or fetch throws a generic AbortError: report why the task was told to stop instead
    if (abort.aborted && abort.reason instanceof Error) throw abort.reason;
    throw error;
  }
  try {
    assertJsonSafe(result, 'result');
  } catch (error) {
    throw new PermanentTaskError(`Task returned a value JSON cannot carry: ${(error as Error).message}`);
  }
  return result;
}
