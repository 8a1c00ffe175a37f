import { isoTime, jsonValue, type HistoryRow } from '@app/history';
import { statusText, TaskState } from '@app/tasks';
import type { TaskHistoryItemDto, TransitionDto } from './dto/history.dto.js';

const iso = (ms: number | null): string | null => isoTime(ms) ?? null;

function transition(t: HistoryRow['transitions'][number]): TransitionDto {
  const dto: TransitionDto = { event: t.event, at: new Date(t.at).toISOString() };
  if (t.attempt !== undefined) dto.attempt = t.attempt;
  if (t.worker !== undefined) dto.worker = t.worker;
  if (t.error !== undefined) dto.error = t.error;
  if (t.delay !== undefined) dto.delay_ms = t.delay;
  return dto;
}

/** A history row as `GET /tasks` lists it. */
export function historyItem(row: HistoryRow): TaskHistoryItemDto {
  const item: TaskHistoryItemDto = {
    task_id: row.id,
    state: row.state,
    status: statusText(row.state),
    name: row.name,
    queue: row.queue,
    retries: row.retries,
    args: [],
    kwargs: row.kwargsTruncated ? row.kwargs : jsonValue(row.kwargs),
    kwargs_truncated: row.kwargsTruncated,
    worker: row.worker,
    parent_id: row.parentId,
    request_id: row.requestId,
    received_at: new Date(row.receivedAt).toISOString(),
    eta: iso(row.eta),
    started_at: iso(row.startedAt),
    date_done: iso(row.dateDone),
    runtime_ms: row.runtimeMs,
    queue_wait_ms: row.waitMs,
    transitions: row.transitions.map(transition),
  };
  if (row.state === TaskState.Success) {
    item.result = row.resultTruncated ? row.result : jsonValue(row.result);
    item.result_truncated = row.resultTruncated;
  }
  if ((row.state === TaskState.Failure || row.state === TaskState.Revoked) && row.error !== null) {
    item.error = row.error;
  }
  if (row.state === TaskState.Failure && row.traceback !== null) item.traceback = row.traceback;
  return item;
}
