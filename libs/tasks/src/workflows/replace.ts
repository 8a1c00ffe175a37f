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
