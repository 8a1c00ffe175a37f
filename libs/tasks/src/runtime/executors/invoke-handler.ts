import type { AnyTask } from '../../core/define-task.js';
import { NotJsonError, PayloadValidationError, PermanentTaskError } from '../../core/errors.js';
import { assertJsonSafe } from '../../core/json.js';
import { validatePayload } from '../../core/payload.js';
import { payloadSchema } from '../../core/payload-schema.js';
import { TaskContext } from '../../core/task-context.js';
import type { TaskProgress } from '../../core/task-state.js';
import type { HandlerRegistry } from '../handler-registry.js';
import type { LazyAbort } from './lazy-abort.js';
import type { ExecutionRequest } from './task-executor.js';

function checkedPayload(task: AnyTask, request: ExecutionRequest): object {
  if (request.schema !== undefined && request.schema === payloadSchema(task)) {
    return request.payload as object;
  }
  try {
    return validatePayload(task, request.payload);
  } catch (error) {
    if (error instanceof PayloadValidationError || error instanceof NotJsonError) {
      throw new PermanentTaskError(`Invalid payload: ${error.message}`);
    }
    throw error;
  }
}

function checkedResult(result: unknown): unknown {
  try {
    assertJsonSafe(result ?? null, 'result');
  } catch (error) {
    throw new PermanentTaskError(`Task returned a value JSON cannot carry: ${(error as Error).message}`);
  }
  return result ?? null;
}

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  typeof (value as PromiseLike<unknown> | null)?.then === 'function';

/**
 * Runs one task's handler wherever the executor lives: re-validates the payload unless the producer checked
 * it against these very rules (it may have been queued by older code), builds the context, and checks the
 * result is JSON. Bad payloads, unknown names and results JSON cannot carry are permanent failures; whatever
 * else the handler throws is left to the retry policy. A handler that returns a plain value is not awaited.
 */
export function invokeHandler(
  handlers: HandlerRegistry,
  request: ExecutionRequest,
  abort: LazyAbort,
  onProgress: (progress: TaskProgress) => Promise<void>,
): Promise<unknown> {
  // an aborted sleep or fetch throws a generic AbortError: report why the task was told to stop instead
  const stopped = (error: unknown): never => {
    throw abort.aborted && abort.reason instanceof Error ? abort.reason : error;
  };
  try {
    const handler = handlers.get(request.name);
    if (!handler) throw new PermanentTaskError(`Unknown task: ${request.name} (no handler in this worker)`);
    const payload = checkedPayload(handler.task, request);
    const ctx = new TaskContext(
      request.id,
      request.name,
      request.queue,
      request.retries,
      request.maxRetries,
      abort,
      onProgress,
      request.scheduledFor !== undefined ? new Date(request.scheduledFor) : undefined,
    );
    let output: unknown;
    try {
      output = handler.call(payload, ctx);
    } catch (error) {
      stopped(error);
    }
    if (isThenable(output)) return Promise.resolve(output).then(checkedResult, stopped);
    return Promise.resolve(checkedResult(output));
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}
