import { cappedJson, redactSecrets, TaskState, type TaskEvent } from '@app/tasks';
import { isFinal, type HistoryRow, type HistoryState, type Transition } from './history-row.js';

/** A row left unfinished this long after its last event (or its eta) is checked against the live task. */
export const RECONCILE_AFTER_MS = 30_000;

export interface MergeOptions {
  /** Longest arguments, traceback (JSON/text, bytes) kept in a row: HISTORY_RESULT_MAX_BYTES. */
  maxBytes: number;
}

/** What an event changed in the stats of its task's name, in the minute `at` falls in. */
export interface StatsEffect {
  name: string;
  at: number;
  counter?: 'succeeded' | 'failed' | 'retried' | 'revoked';
  /** -1 when an outcome is taken back (an API-side revoke overtaken by the worker's own outcome). */
  delta?: 1 | -1;
  runtime?: number;
  wait?: number;
}

/**
 * Written by the reconciler, not by a worker: the final state read from the task's live job, the worker's own
 * events having been lost (a worker killed with SIGKILL before it sent them).
 */
export interface ReconciledEvent {
  t: 'reconciled';
  id: string;
  at: number;
  state: typeof TaskState.Success | typeof TaskState.Failure | typeof TaskState.Revoked;
  retries: number;
  /** JSON, as the worker would have sent it. */
  result?: string;
  resultTruncated?: boolean;
  error?: string;
}

/** What the merge rules take: the stream's events, and the reconciler's. */
export type HistoryEvent = TaskEvent | ReconciledEvent;

export interface MergeResult {
  row: HistoryRow;
  changed: boolean;
  effects: StatsEffect[];
}

const FINAL_OF = { succeeded: TaskState.Success, failed: TaskState.Failure, revoked: TaskState.Revoked };
/** Events that end a task. */
const OUTCOMES: ReadonlySet<string> = new Set(['succeeded', 'failed', 'revoked', 'reconciled']);
const COUNTER_OF = { SUCCESS: 'succeeded', FAILURE: 'failed', REVOKED: 'revoked' } as const;

const transitionKey = (t: Transition): string => `${t.event}|${t.at}|${t.attempt ?? ''}|${t.worker ?? ''}`;

function transitionOf(event: HistoryEvent): Transition {
  const t: Transition = { event: event.t, at: event.at };
  if ('attempt' in event) t.attempt = event.attempt;
  if ('worker' in event && event.worker !== undefined) t.worker = event.worker;
  if (event.t === 'retry') Object.assign(t, { error: event.error, delay: event.delay });
  return t;
}

function capped(text: string, maxBytes: number): string {
  return text.length * 3 <= maxBytes ? text : Buffer.from(text).subarray(0, maxBytes).toString();
}

/** A row for a task whose first event here is not `received` (it was trimmed from the stream unread). */
function placeholder(event: HistoryEvent): HistoryRow {
  return {
    id: event.id,
    name: '',
    queue: '',
    state: TaskState.Pending,
    kwargs: 'null',
    kwargsTruncated: false,
    parentId: null,
    requestId: null,
    receivedAt: event.at,
    eta: null,
    startedAt: null,
    dateDone: null,
    retries: 0,
    worker: null,
    runtimeMs: null,
    waitMs: null,
    result: null,
    resultTruncated: false,
    error: null,
    traceback: null,
    transitions: [],
    lastEventAt: event.at,
    checkAfter: event.at + RECONCILE_AFTER_MS,
  };
}

/**
 * A non-final row's state: that of its latest non-final step, whatever order the events came in (a
 * worker's `retry` may reach the stream after the next worker's `started`).
 */
function liveState(row: HistoryRow): HistoryState {
  let latest: Transition | undefined;
  for (const t of row.transitions) {
    if (OUTCOMES.has(t.event)) continue;
    if (!latest || t.at >= latest.at) latest = t;
  }
  switch (latest?.event) {
    case 'started':
      return TaskState.Started;
    case 'retry':
      return TaskState.Retry;
    default:
      return row.eta !== null && row.eta > row.receivedAt ? TaskState.Scheduled : TaskState.Pending;
  }
}

/** The outcome the row holds: the latest outcome transition at its `date_done`. */
function outcomeTransition(row: HistoryRow): Transition | undefined {
  return row.transitions.findLast((t) => OUTCOMES.has(t.event) && t.at === row.dateDone);
}

/**
 * Whether an outcome replaces the one the row has. The first outcome stays, except one a worker did not
 * report — a revoke written by the API (the task had not started, it thought) or the reconciler's reading of
 * the job — when a worker reports its own; the reconciler never replaces anything.
 */
function overrides(row: HistoryRow, event: HistoryEvent): boolean {
  if (!isFinal(row.state)) return true;
  if (event.t === 'reconciled' || !('worker' in event) || !event.worker) return false;
  const current = outcomeTransition(row);
  return current?.event === 'reconciled' || (current?.event === 'revoked' && current.worker === undefined);
}

/**
 * Applies one event to a task's row (undefined: none yet), returning the new row, whether anything changed,
 * and what the change adds to the stats. Pure and idempotent: an event applied twice changes nothing the
 * second time; events of one task may come in any order and in any batches, and a final state is never
 * overwritten by a late `started` or `retry`.
 */
export function mergeEvent(
  current: HistoryRow | undefined,
  event: HistoryEvent,
  options: MergeOptions,
): MergeResult {
  const transition = transitionOf(event);
  const key = transitionKey(transition);
  if (current?.transitions.some((t) => transitionKey(t) === key)) {
    return { row: current, changed: false, effects: [] };
  }
  if (event.t === 'received' && current?.transitions.some((t) => t.event === 'received')) {
    return { row: current, changed: false, effects: [] };
  }
  const row: HistoryRow = current
    ? { ...current, transitions: [...current.transitions] }
    : event.t === 'received'
      ? { ...placeholder(event), name: event.name, queue: event.queue }
      : placeholder(event);
  row.transitions.push(transition);
  row.transitions.sort((a, b) => a.at - b.at);
  row.lastEventAt = Math.max(row.lastEventAt, event.at);
  const effects: StatsEffect[] = [];

  switch (event.t) {
    case 'received': {
      const { json, cut } = cappedJson(redactSecrets(event.kwargs ?? null), options.maxBytes);
      Object.assign(row, {
        name: event.name,
        queue: event.queue,
        kwargs: json,
        kwargsTruncated: cut,
        parentId: event.parent ?? null,
        requestId: event.rid ?? null,
        receivedAt: Math.min(row.receivedAt, event.at),
        eta: event.eta ?? null,
      });
      break;
    }
    case 'started': {
      if (event.attempt === 1 && event.ready !== undefined && row.waitMs === null) {
        row.waitMs = Math.max(0, event.at - event.ready);
        effects.push({ name: row.name, at: event.at, wait: row.waitMs });
      }
      row.retries = Math.max(row.retries, event.attempt - 1);
      if (isFinal(row.state)) {
        row.startedAt ??= event.at;
        row.worker ??= event.worker;
      } else if (row.startedAt === null || event.at >= row.startedAt) {
        row.startedAt = event.at;
        row.worker = event.worker;
      }
      break;
    }
    case 'retry':
      row.retries = Math.max(row.retries, event.attempt);
      effects.push({ name: row.name, at: event.at, counter: 'retried', delta: 1 });
      if (!isFinal(row.state) && (row.startedAt === null || event.at >= row.startedAt))
        row.worker = event.worker;
      break;
    case 'reconciled':
    case 'succeeded':
    case 'failed':
    case 'revoked': {
      if (!overrides(row, event)) break;
      const previous = isFinal(row.state) ? row.state : undefined;
      if (previous !== undefined && row.dateDone !== null) {
        effects.push({
          name: row.name,
          at: row.dateDone,
          counter: COUNTER_OF[previous as keyof typeof COUNTER_OF],
          delta: -1,
        });
      }
      row.dateDone = event.at;
      if (event.t === 'reconciled') {
        Object.assign(row, {
          state: event.state,
          retries: Math.max(row.retries, event.retries),
          result: event.result ?? null,
          resultTruncated: event.resultTruncated === true,
          error: event.error !== undefined ? capped(event.error, options.maxBytes) : null,
          // from the last start recorded here: the worker's own measure was lost with its events
          runtimeMs: row.startedAt !== null ? Math.max(0, event.at - row.startedAt) : null,
        });
        effects.push({ name: row.name, at: event.at, counter: COUNTER_OF[event.state], delta: 1 });
        break;
      }
      row.state = FINAL_OF[event.t];
      if (event.worker !== undefined) row.worker = event.worker;
      if (event.t !== 'revoked') {
        row.retries = Math.max(row.retries, event.attempt - 1);
        if (event.runtime !== undefined) row.runtimeMs = event.runtime;
      }
      if (event.t === 'succeeded') {
        row.result = event.result;
        row.resultTruncated = event.cut === true;
        row.error = null;
      } else if (event.t === 'failed') {
        row.error = capped(event.error, options.maxBytes);
        row.traceback = event.traceback !== undefined ? capped(event.traceback, options.maxBytes) : null;
      } else {
        row.error = capped(event.reason, options.maxBytes);
      }
      const runtime = event.t !== 'revoked' ? event.runtime : undefined;
      effects.push({
        name: row.name,
        at: event.at,
        counter: COUNTER_OF[row.state],
        delta: 1,
        ...(runtime !== undefined ? { runtime } : {}),
      });
      break;
    }
  }
  if (!isFinal(row.state)) {
    row.state = liveState(row);
    row.checkAfter = Math.max(row.lastEventAt, row.eta ?? 0) + RECONCILE_AFTER_MS;
  }
  return { row, changed: true, effects };
}
