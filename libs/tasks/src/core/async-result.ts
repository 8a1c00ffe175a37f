import { setTimeout as sleep } from 'node:timers/promises';
import { TaskFailedError, TaskNotFoundError, TaskTimeoutError } from './errors.js';
import { READY_STATES, TaskState, type TaskStatus } from './task-state.js';

/** The part of the client a result handle needs. */
export interface StatusSource {
  status(id: string): Promise<TaskStatus | null>;
}

/** Celery's `AsyncResult`: a handle on one task's state and result. Every read goes to Redis. */
export class AsyncResult<R = unknown> {
  constructor(
    readonly id: string,
    private readonly source: StatusSource,
    /**
     * The state the task was queued in (PENDING, or SCHEDULED for a countdown/eta), when this handle comes
     * from a submission that queued it: an answer that needs no read back from Redis.
     */
    readonly submittedState?: TaskState,
  ) {}

  async status(): Promise<TaskStatus> {
    const status = await this.source.status(this.id);
    if (!status) throw new TaskNotFoundError(this.id);
    return status;
  }

  async state(): Promise<TaskState> {
    return (await this.status()).state;
  }

  async ready(): Promise<boolean> {
    return READY_STATES.has(await this.state());
  }

  async successful(): Promise<boolean> {
    return (await this.state()) === TaskState.Success;
  }

  /** The result once SUCCESS; undefined before. */
  async result(): Promise<R | undefined> {
    const status = await this.status();
    return status.state === TaskState.Success ? (status.result as R) : undefined;
  }

  /**
   * Waits for the task to finish and returns its result; throws `TaskFailedError` for FAILURE or REVOKED and
   * `TaskTimeoutError` after `timeout` seconds. Polls with a growing interval (10 ms … 250 ms).
   */
  async get(timeout = 30): Promise<R> {
    const deadline = Date.now() + timeout * 1000;
    let interval = 10;
    for (;;) {
      const status = await this.status();
      if (status.state === TaskState.Success) return status.result as R;
      if (READY_STATES.has(status.state)) {
        throw new TaskFailedError(this.id, status.state, status.error ?? status.status);
      }
      if (Date.now() >= deadline) throw new TaskTimeoutError(this.id, timeout);
      await sleep(Math.min(interval, Math.max(0, deadline - Date.now())));
      interval = Math.min(interval * 2, 250);
    }
  }
}
