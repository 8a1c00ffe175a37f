import { parseHistogram, serializeHistogram } from '../histogram.js';
import type { StatsDelta } from '../batch-plan.js';
import type { HistoryRow, HistoryState, Transition } from '../history-row.js';

/** `task_history`'s columns but `seq`, in the order every statement binds them. */
export const ROW_COLUMNS = [
  'id',
  'name',
  'queue',
  'state',
  'kwargs',
  'kwargs_truncated',
  'parent_id',
  'request_id',
  'received_at',
  'eta',
  'started_at',
  'date_done',
  'retries',
  'worker',
  'runtime_ms',
  'wait_ms',
  'result',
  'result_truncated',
  'error',
  'traceback',
  'transitions',
  'last_event_at',
  'check_after',
] as const;

export type RowValue = string | number | null;

export function rowValues(row: HistoryRow): RowValue[] {
  return [
    row.id,
    row.name,
    row.queue,
    row.state,
    row.kwargs,
    row.kwargsTruncated ? 1 : 0,
    row.parentId,
    row.requestId,
    row.receivedAt,
    row.eta,
    row.startedAt,
    row.dateDone,
    row.retries,
    row.worker,
    row.runtimeMs,
    row.waitMs,
    row.result,
    row.resultTruncated ? 1 : 0,
    row.error,
    row.traceback,
    JSON.stringify(row.transitions),
    row.lastEventAt,
    row.checkAfter,
  ];
}

/** A row as a driver returns it (PostgreSQL gives bigint columns as strings). */
export type DbRecord = Record<string, unknown>;

const num = (value: unknown): number => Number(value);
const numOrNull = (value: unknown): number | null =>
  value === null || value === undefined ? null : Number(value);
const strOrNull = (value: unknown): string | null =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null;

function transitions(json: unknown): Transition[] {
  try {
    const parsed = JSON.parse(String(json)) as unknown;
    return Array.isArray(parsed) ? (parsed as Transition[]) : [];
  } catch {
    return [];
  }
}

export function fromRecord(r: DbRecord): HistoryRow {
  return {
    seq: num(r.seq),
    id: String(r.id),
    name: String(r.name),
    queue: String(r.queue),
    state: String(r.state) as HistoryState,
    kwargs: String(r.kwargs),
    kwargsTruncated: Number(r.kwargs_truncated) === 1,
    parentId: strOrNull(r.parent_id),
    requestId: strOrNull(r.request_id),
    receivedAt: num(r.received_at),
    eta: numOrNull(r.eta),
    startedAt: numOrNull(r.started_at),
    dateDone: numOrNull(r.date_done),
    retries: num(r.retries),
    worker: strOrNull(r.worker),
    runtimeMs: numOrNull(r.runtime_ms),
    waitMs: numOrNull(r.wait_ms),
    result: strOrNull(r.result),
    resultTruncated: Number(r.result_truncated) === 1,
    error: strOrNull(r.error),
    traceback: strOrNull(r.traceback),
    transitions: transitions(r.transitions),
    lastEventAt: num(r.last_event_at),
    checkAfter: num(r.check_after),
  };
}

/** One task name's stats in one minute, as stored in `task_stats`: the shape a batch adds, summed. */
export type StatsRow = StatsDelta;

export const STATS_COLUMNS = [
  'minute',
  'name',
  'succeeded',
  'failed',
  'retried',
  'revoked',
  'runtime_hist',
  'wait_hist',
] as const;

export function statsValues(s: StatsRow): RowValue[] {
  return [
    s.minute,
    s.name,
    s.succeeded,
    s.failed,
    s.retried,
    s.revoked,
    serializeHistogram(s.runtime),
    serializeHistogram(s.wait),
  ];
}

export function statsFromRecord(r: DbRecord): StatsRow {
  return {
    minute: num(r.minute),
    name: String(r.name),
    succeeded: num(r.succeeded),
    failed: num(r.failed),
    retried: num(r.retried),
    revoked: num(r.revoked),
    runtime: parseHistogram(strOrNull(r.runtime_hist)),
    wait: parseHistogram(strOrNull(r.wait_hist)),
  };
}
