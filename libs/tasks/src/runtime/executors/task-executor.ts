import type { TaskProgress } from '../../core/task-state.js';
import type { LazyAbort } from './lazy-abort.js';

/** One run of one task, as the consumer hands it to an executor. */
export interface ExecutionRequest {
  id: string;
  name: string;
  queue: string;
  /** The queued keyword arguments, not yet re-validated. */
  payload: unknown;
  /** The rules the producer validated `payload` against, from the job's envelope. */
  schema?: string;
  retries: number;
  maxRetries: number;
  /** The nominal time (epoch ms) of the schedule tick that queued it. */
  scheduledFor?: number;
}

export interface ExecutionCallbacks {
  onProgress(this: void, progress: TaskProgress): Promise<void>;
  /** The task's stop signal on the consumer's side, fired by the runner: what an in-process handler watches. */
  abort: LazyAbort;
  /**
   * Called by the executor when the task's code starts, which may be later than `execute` (a thread pool still
   * booting): its time limits run from then.
   */
  onStart(this: void): void;
}

/** Numbers an executor reports for heartbeats and `inspect stats`. */
export interface ExecutorStats {
  kind: 'inline' | 'threads';
  /** Threads alive (0 for inline). */
  size: number;
  running: number;
  /** Threads replaced so far: recycled after max-tasks-per-child, or ended by a limit or a crash. */
  replaced: number;
  threads: {
    id: number;
    running: number;
    completed: number;
    lag_ms: number;
    heap_mb: number;
    blocked: boolean;
  }[];
}

/**
 * Where task code runs. The consumer (BullMQ, locks, state) stays on the main event loop; an executor runs
 * the handler and can be told to stop it: `abort` forwards a stop to where the task runs (in-process tasks watch `callbacks.abort` instead), `kill` ends it whatever it does.
 */
export interface TaskExecutor {
  start(): Promise<void>;
  execute(request: ExecutionRequest, callbacks: ExecutionCallbacks): Promise<unknown>;
  abort(id: string, reason: Error): void;
  /** Ends the task even if it never yields; true when the executor could. The pending `execute` rejects with `reason`. */
  kill(id: string, reason: Error): boolean;
  /** Names of the tasks this executor has handlers for. */
  registered(): string[];
  stats(): ExecutorStats;
  close(): Promise<void>;
}

export const TASK_EXECUTOR = Symbol('TASK_EXECUTOR');
