import type { TaskProgress } from '../../core/task-state.js';
import type { SerializedError } from './serialized-error.js';
import type { ExecutionRequest } from './task-executor.js';

/** Consumer → executor thread. */
export type ToThread =
  { t: 'run'; request: ExecutionRequest } | { t: 'abort'; id: string; reason: SerializedError };

/** Executor thread → consumer. */
export type FromThread =
  | { t: 'ready'; handlers: string[] }
  | { t: 'fatal'; message: string }
  | { t: 'progress'; id: string; progress: TaskProgress }
  | { t: 'done'; id: string; result: unknown }
  | { t: 'failed'; id: string; error: SerializedError }
  | { t: 'beat'; lagMs: number; heapMb: number };

/** How often a thread says it is alive; a thread silent for several beats is busy in code that never yields. */
export const THREAD_BEAT_MS = 100;
