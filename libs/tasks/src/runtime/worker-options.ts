/** How one worker process consumes: decided by the worker app from its settings and flags. */
export interface WorkerRuntimeOptions {
  queues: string[];
  /** Tasks run at once by this process, across all its queues (Celery's `--concurrency`). */
  concurrency: number;
  /** A name for logs and `inspect`; defaults to `<host>:<pid>`. */
  name?: string;
}

export const WORKER_RUNTIME_OPTIONS = Symbol('WORKER_RUNTIME_OPTIONS');
