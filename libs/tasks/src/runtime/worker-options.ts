import { hostname } from 'node:os';

/**
 * Where task code runs. `threads` (the default): tasks declared `isolation: 'thread'` in a pool of worker
 * threads, the others on the consumer's event loop. `inline`: every task on the event loop.
 */
export type PoolOptions =
  | { kind: 'inline' }
  | {
      kind: 'threads';
      /** The compiled thread entry module (it calls `runExecutorThread`). */
      entry: URL;
      size: number;
      maxTasksPerChild: number;
      maxMemoryMb?: number;
    };

/** How one worker process consumes: decided by the worker app from its settings and flags. */
export interface WorkerRuntimeOptions {
  queues: string[];
  /** Tasks run at once by this process, across all its queues (Celery's `--concurrency`). */
  concurrency: number;
  /** A name for logs and `inspect`; defaults to `<host>:<pid>`. */
  name?: string;
  pool: PoolOptions;
  /** Seconds a task may hold its lock without renewal before another worker may take it (crash recovery). */
  lockDuration: number;
  /**
   * Seconds of heartbeat silence after which a worker is dead and live workers hand its tasks back (crash
   * recovery in seconds; the lock duration is the fallback).
   */
  deadAfter: number;
  /** Seconds between BullMQ's own checks for tasks whose lock lapsed. */
  stalledInterval: number;
  /** Re-deliveries after a crash before the task fails instead (a task that keeps killing workers). */
  maxStalledCount: number;
  /** Seconds a warm shutdown waits for running tasks before leaving them to crash recovery. */
  shutdownGrace: number;
  /** Seconds a terminated task has to stop on its signal before it is ended. */
  terminateGrace: number;
}

export const WORKER_RUNTIME_OPTIONS = Symbol('WORKER_RUNTIME_OPTIONS');

/** The id a worker process goes by in heartbeats, `inspect`, history and logs. */
export function workerId(options: Pick<WorkerRuntimeOptions, 'name'>): string {
  return options.name ?? `${hostname()}:${process.pid}`;
}
