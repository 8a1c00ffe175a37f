import type { Canvas, WorkflowSpec } from './canvas.js';

/** The key of the marker a task returns to replace itself with a workflow (plain JSON: it crosses threads). */
export const REPLACE_MARKER = '__codehubot_replace__';

export interface ReplaceRequest {
  [REPLACE_MARKER]: WorkflowSpec;
}

export function replaceRequest(canvas: Canvas): ReplaceRequest {
  return { [REPLACE_MARKER]: canvas };
}

/** The workflow a task's return value asks to be replaced by, if it is a replace request. */
export function replacementOf(value: unknown): WorkflowSpec | undefined {
  return typeof value === 'object' && value !== null && REPLACE_MARKER in value
    ? (value as ReplaceRequest)[REPLACE_MARKER]
    : undefined;
}

/** What a replaced task's job completes with: the id of the workflow whose result is the task's. */
export const REPLACED_MARKER = '__codehubot_replaced_by__';

export interface ReplacedResult {
  [REPLACED_MARKER]: string;
}

/** The workflow that replaced a task, from its job's return value; undefined for an ordinary result. */
export function replacedBy(value: unknown): string | undefined {
  return typeof value === 'object' && value !== null && REPLACED_MARKER in value
    ? (value as ReplacedResult)[REPLACED_MARKER]
    : undefined;
}
