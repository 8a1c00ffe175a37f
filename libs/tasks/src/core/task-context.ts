import type { Canvas } from '../workflows/canvas.js';
import { replaceRequest } from '../workflows/replace.js';
import { RetryTaskError } from './errors.js';
import { toProgress, type TaskProgress } from './task-state.js';

/** What a running task knows about itself: Celery's bound `self`, typed. */
export class TaskContext {
  constructor(
    readonly id: string,
    readonly name: string,
    readonly queue: string,
    /** How many times this task has been retried before this run. */
    readonly retries: number,
    readonly maxRetries: number,
    private readonly abortSource: { readonly signal: AbortSignal },
    private readonly reportProgress: (progress: TaskProgress) => Promise<void>,
    /** Queued by a schedule: the tick's nominal time (Celery beat's `scheduled_for`); else undefined. */
    readonly scheduledFor?: Date,
  ) {}

  /** Fires on revoke with terminate and on the soft time limit. */
  get signal(): AbortSignal {
    return this.abortSource.signal;
  }

  /** Reports PROGRESS with `{current, total, percent}`; visible at once to `GET /tasks/{id}` and its SSE stream. */
  progress(current: number, total: number): Promise<void> {
    return this.reportProgress(toProgress(current, total));
  }

  /**
   * Asks for another attempt, after `countdown` seconds (default: the task's retry policy). When the retries are
   * used up the `cause` (or a "max retries exceeded" error) fails the task instead, as in Celery.
   */
  retry(options: { countdown?: number; cause?: unknown } = {}): never {
    if (this.retries >= this.maxRetries) {
      if (options.cause instanceof Error) throw options.cause;
      throw new Error(`MaxRetriesExceededError: ${this.name} retried ${this.retries} time(s)`);
    }
    throw new RetryTaskError(options.countdown, options.cause);
  }

  /**
   * Celery's `self.replace`: `return ctx.replace(workflow)` ends this run and queues the workflow in its place;
   * the task reads as running until the workflow ends, and the workflow's result becomes the task's (inside a
   * workflow, the next member gets it). Typed as the workflow's result so that the handler's return type holds.
   */
  replace<R>(canvas: Canvas<R>): R {
    return replaceRequest(canvas) as R;
  }

  /** Throws the abort reason if the task has been told to stop; call it between steps of a long loop. */
  throwIfAborted(): void {
    this.signal.throwIfAborted();
  }
}
