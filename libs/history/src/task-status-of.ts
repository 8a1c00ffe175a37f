import { statusText, TaskState, type TaskStatus } from '@app/tasks';
import type { HistoryRow } from './history-row.js';

/** A stored JSON text as its value; a cut one (not JSON any more) as the text itself. */
export function jsonValue(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export const isoTime = (ms: number | null): string | undefined =>
  ms === null ? undefined : new Date(ms).toISOString();

/**
 * What `GET /tasks/{task_id}` answers from a history row, once the live result has expired: the shapes of the
 * live answer (state, status, result or error, date_done), from what the history kept.
 */
export function taskStatusOf(row: HistoryRow): TaskStatus {
  const status: TaskStatus = {
    task_id: row.id,
    state: row.state,
    status: statusText(row.state),
    name: row.name,
    queue: row.queue,
    retries: row.retries,
  };
  const done = isoTime(row.dateDone);
  if (done !== undefined) status.date_done = done;
  if (row.state === TaskState.Scheduled && row.eta !== null) status.eta = new Date(row.eta).toISOString();
  if (row.state === TaskState.Success) status.result = jsonValue(row.result);
  if ((row.state === TaskState.Failure || row.state === TaskState.Revoked) && row.error !== null) {
    status.error = row.error;
  }
  if (row.state === TaskState.Failure && row.error === null) status.error = 'unknown error';
  return status;
}
