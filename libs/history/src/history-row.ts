import { TaskState } from '@app/tasks';

/** The states a history row can be in: the contract's, but PROGRESS (progress reports are not events). */
export const HISTORY_STATES = [
  TaskState.Pending,
  TaskState.Scheduled,
  TaskState.Started,
  TaskState.Retry,
  TaskState.Success,
  TaskState.Failure,
  TaskState.Revoked,
] as const;
export type HistoryState = (typeof HISTORY_STATES)[number];

export const FINAL_STATES: ReadonlySet<HistoryState> = new Set<HistoryState>([
  TaskState.Success,
  TaskState.Failure,
  TaskState.Revoked,
]);

/** One step of a task's life, as kept in its row (`transitions`, JSON). */
export interface Transition {
  /** received, started, retry, succeeded, failed, revoked. */
  event: string;
  /** Epoch ms. */
  at: number;
  attempt?: number;
  worker?: string;
  /** retry: why, and in how many ms it runs again. */
  error?: string;
  delay?: number;
}

/** One task's row in `task_history`, as the merge rules see it. Times are epoch ms. */
export interface HistoryRow {
  /** Monotonic, for newest-first keyset paging; undefined until the row is first stored. */
  seq?: number;
  id: string;
  name: string;
  queue: string;
  state: HistoryState;
  /** The keyword arguments as JSON, secrets redacted, capped (then `kwargsTruncated`). */
  kwargs: string;
  kwargsTruncated: boolean;
  parentId: string | null;
  requestId: string | null;
  receivedAt: number;
  eta: number | null;
  startedAt: number | null;
  dateDone: number | null;
  retries: number;
  worker: string | null;
  runtimeMs: number | null;
  waitMs: number | null;
  /** JSON text as the worker sent it (cut when over HISTORY_RESULT_MAX_BYTES: `resultTruncated`). */
  result: string | null;
  resultTruncated: boolean;
  error: string | null;
  traceback: string | null;
  transitions: Transition[];
  /** The last event's time: the reconciler looks at rows left unfinished long after it. */
  lastEventAt: number;
  /** When the reconciler looks at this row next (non-final rows only). */
  checkAfter: number;
}

export const isFinal = (state: HistoryState): boolean => FINAL_STATES.has(state);

/** What free-text search (`q`) looks in besides the arguments: the result and the error ('' before either). */
export function outcomeText(row: Pick<HistoryRow, 'result' | 'error'>): string {
  return [row.result, row.error]
    .filter((text) => text !== null)
    .join(' ')
    .trim();
}
