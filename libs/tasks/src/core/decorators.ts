import { SetMetadata } from '@nestjs/common';
import type { AnyTask, TaskDefinition } from './define-task.js';
import type { TaskContext } from './task-context.js';

export const TASK_HANDLER = Symbol('codehubot:task-handler');
export const TASK_HOOK = Symbol('codehubot:task-hook');

/**
 * Marks the method that performs a task. The method's signature is checked against the definition: it takes
 * the task's payload (and its context) and returns the task's result.
 */
export function HandlesTask<P extends object, R>(task: TaskDefinition<P, R>) {
  return <M extends (payload: P, ctx: TaskContext) => Promise<R> | R>(
    target: object,
    key: string | symbol,
    descriptor: TypedPropertyDescriptor<M>,
  ): void => {
    SetMetadata(TASK_HANDLER, task)(target, key, descriptor);
  };
}

export type TaskOutcome = 'success' | 'failure' | 'retry';

/** What a lifecycle hook receives; `result` on success, `error` on failure and retry. */
export interface TaskEventInfo {
  id: string;
  name: string;
  queue: string;
  retries: number;
  payload: unknown;
  result?: unknown;
  error?: Error;
}

export interface TaskHookMetadata {
  outcome: TaskOutcome;
  /** Unset: the hook runs for every task (Celery's base-class hooks). */
  task?: AnyTask;
}

function onTask(outcome: TaskOutcome, task?: AnyTask) {
  return <M extends (info: TaskEventInfo) => unknown>(
    target: object,
    key: string | symbol,
    descriptor: TypedPropertyDescriptor<M>,
  ): void => {
    SetMetadata(TASK_HOOK, { outcome, task } satisfies TaskHookMetadata)(target, key, descriptor);
  };
}

/** Celery's `on_success`: runs in the worker after a task succeeds. Errors in hooks are logged, never rethrown. */
export const OnTaskSuccess = (task?: AnyTask) => onTask('success', task);
/** Celery's `on_failure`: runs once, when a task has failed for good (no retry left, or a permanent error). */
export const OnTaskFailure = (task?: AnyTask) => onTask('failure', task);
/** Celery's `on_retry`: runs when a failed run is followed by a retry. */
export const OnTaskRetry = (task?: AnyTask) => onTask('retry', task);
