import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import type { TasksConfig } from '../config/tasks.config.js';
import type { TaskEnvelope } from '../core/envelope.js';
import {
  NotJsonError,
  PayloadValidationError,
  PermanentTaskError,
  SoftTimeLimitExceeded,
  TaskRevokedError,
} from '../core/errors.js';
import { assertJsonSafe } from '../core/json.js';
import { validatePayload } from '../core/payload.js';
import { TaskContext } from '../core/task-context.js';
import type { TaskProgress } from '../core/task-state.js';
import { TASKS_CONFIG } from '../tokens.js';
import { HandlerRegistry } from './handler-registry.js';
import { RevocationListener } from './revocation-listener.js';

/** Why a running task was told to stop, as given to BullMQ's `cancelJob`. */
export const TERMINATE_REASON = 'terminated';

/**
 * Runs one job: finds its handler, refuses revoked, expired and malformed work as permanent failures, re-checks
 * the payload (it may have been queued by older code), enforces the soft time limit and checks the result is
 * JSON. Everything else the handler throws goes to BullMQ's retry machinery.
 */
@Injectable()
export class TaskRunner {
  private readonly logger = new Logger(TaskRunner.name);

  constructor(
    private readonly handlers: HandlerRegistry,
    private readonly revocations: RevocationListener,
    @Inject(TASKS_CONFIG) private readonly config: TasksConfig,
  ) {}

  async run(job: Job<TaskEnvelope>, signal?: AbortSignal): Promise<unknown> {
    const id = job.id ?? '';
    const handler = this.handlers.get(job.name);
    if (!handler) throw new PermanentTaskError(`Unknown task: ${job.name} (no handler in this worker)`);
    if (this.revocations.has(id)) throw new TaskRevokedError('revoked');
    const expires = job.data?.expires;
    if (expires !== undefined && expires <= Date.now()) throw new TaskRevokedError('expired');
    let payload: object;
    try {
      payload = validatePayload(handler.task, job.data?.kwargs);
    } catch (error) {
      if (error instanceof PayloadValidationError || error instanceof NotJsonError) {
        throw new PermanentTaskError(`Invalid payload: ${error.message}`);
      }
      throw error;
    }

    const softLimit = handler.task.timeLimits?.soft ?? this.config.softTimeLimit;
    const controller = new AbortController();
    const onCancel = (): void =>
      controller.abort(
        signal?.reason === TERMINATE_REASON ? new TaskRevokedError('terminated') : signal?.reason,
      );
    signal?.addEventListener('abort', onCancel, { once: true });
    const timer = setTimeout(() => controller.abort(new SoftTimeLimitExceeded(softLimit)), softLimit * 1000);
    const stopped = new Promise<never>((_, reject) => {
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason as Error), {
        once: true,
      });
    });
    stopped.catch(() => undefined);

    const ctx = new TaskContext(
      id,
      job.name,
      job.queueName,
      job.attemptsMade,
      handler.task.retry?.maxRetries ?? 0,
      controller.signal,
      (progress: TaskProgress) => job.updateProgress(progress),
    );
    try {
      const running = Promise.resolve(handler.call(payload, ctx));
      running.catch((error: unknown) => {
        if (controller.signal.aborted)
          this.logger.debug(`${job.name} (${id}) ended after being stopped: ${String(error)}`);
      });
      const result = await Promise.race([running, stopped]);
      const value = result === undefined ? null : result;
      try {
        assertJsonSafe(value, 'result');
      } catch (error) {
        throw new PermanentTaskError(`Task returned a value JSON cannot carry: ${(error as Error).message}`);
      }
      return value;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onCancel);
    }
  }
}
