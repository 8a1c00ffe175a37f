import type { BatchPlan, StatsDelta } from '../batch-plan.js';
import { mergeInto } from '../histogram.js';
import type { HistoryRow, HistoryState } from '../history-row.js';
import type { StatsRow } from './columns.js';

/** What `GET /tasks` filters on; every field optional but `limit`. */
export interface HistoryQuery {
  states?: readonly HistoryState[];
  name?: string;
  queue?: string;
  worker?: string;
  parent?: string;
  /** received_at ≥ since, < until (epoch ms). */
  since?: number;
  until?: number;
  /** Free-text terms, each a case-insensitive substring of the arguments, result or error (all must match). */
  terms?: readonly string[];
  /** Keyset paging: rows with a smaller seq only. */
  beforeSeq?: number;
  limit: number;
}

/** The recorder's cursor move a batch makes; absent for writes outside the stream (the reconciler). */
export interface CursorMove {
  from: string;
  to: string;
}

/** Builds a batch's writes from the rows stored for its task ids, inside the transaction. */
export type Planner = (stored: ReadonlyMap<string, HistoryRow>) => BatchPlan;

/**
 * The task history's tables, one implementation per database. Every write is one transaction that first
 * takes the cursor row (the sink's cursor, and the lock that orders every history writer: the sink, the
 * reconciler and the pruning), then reads the rows it merges into, then writes rows, search text and stats.
 */
export interface HistoryStore {
  cursor(): Promise<string>;
  /**
   * Reads the rows of `ids`, has `plan` merge into them and writes the outcome, moving the cursor when `move`
   * is given. Resolves false (and writes nothing) when the stored cursor is not `move.from`.
   */
  write(ids: readonly string[], plan: Planner, move?: CursorMove): Promise<boolean>;
  get(id: string): Promise<HistoryRow | undefined>;
  /** Newest first. */
  list(query: HistoryQuery): Promise<HistoryRow[]>;
  /** Stats rows of minutes from ≤ minute < to. */
  stats(fromMinute: number, toMinute: number): Promise<StatsRow[]>;
  /** Unfinished rows due for a look (`check_after` ≤ now), the longest due first. */
  dueForCheck(now: number, limit: number): Promise<HistoryRow[]>;
  /** Deletes up to `batch` rows received before `cutoff` (with their search text and older stats rows). */
  prune(cutoff: number, batch: number): Promise<number>;
}

export const HISTORY_CURSOR_NAME = 'history';

/** A stored stats row (or none) plus what a batch adds to it. */
export function addStats(stored: StatsRow | undefined, delta: StatsDelta): StatsRow {
  const row: StatsRow = stored
    ? { ...stored, runtime: stored.runtime.slice(), wait: stored.wait.slice() }
    : {
        minute: delta.minute,
        name: delta.name,
        succeeded: 0,
        failed: 0,
        retried: 0,
        revoked: 0,
        runtime: [],
        wait: [],
      };
  row.succeeded += delta.succeeded;
  row.failed += delta.failed;
  row.retried += delta.retried;
  row.revoked += delta.revoked;
  mergeInto(row.runtime, delta.runtime);
  mergeInto(row.wait, delta.wait);
  return row;
}
