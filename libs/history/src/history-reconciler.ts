import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import {
  cappedJson,
  compareStreamIds,
  lastEntryId,
  PRODUCER_REDIS,
  READY_STATES,
  streamIdMs,
  TASKS_CONFIG,
  TaskStatusReader,
  type TaskStatus,
  type TasksConfig,
} from '@app/tasks';
import { planBatch } from './batch-plan.js';
import { isFinal, type HistoryRow } from './history-row.js';
import { RECONCILE_AFTER_MS, type ReconciledEvent } from './merge-rules.js';
import type { HistoryStore } from './store/history-store.js';
import { HISTORY_STORE } from './tokens.js';

/** Rows looked at per round. */
const ROUND = 200;
/** A row still live is looked at again after as long as it has been quiet, within these bounds. */
const MAX_BACKOFF_MS = 10 * 60_000;

function reconciledEvent(status: TaskStatus, now: number, maxBytes: number): ReconciledEvent {
  const at = status.date_done !== undefined ? Date.parse(status.date_done) : now;
  const event: ReconciledEvent = {
    t: 'reconciled',
    id: status.task_id,
    at: Number.isFinite(at) ? at : now,
    state: status.state as ReconciledEvent['state'],
    retries: status.retries,
  };
  if (status.result !== undefined) {
    const { json, cut } = cappedJson(status.result, maxBytes);
    Object.assign(event, { result: json, resultTruncated: cut });
  }
  if (status.error !== undefined) event.error = status.error;
  return event;
}

/**
 * The time a row's quiet is measured up to: now, unless the history has not recorded the stream to its end
 * (`cursor` before `last`, a burst's backlog), then the time of the last entry it has recorded. A row whose
 * events still wait in the stream is not quiet: reading its live task would cost Redis for nothing, and during a
 * burst every row is such a row.
 */
export function quietUpTo(now: number, cursor: string, last: string | undefined): number {
  if (last === undefined || compareStreamIds(cursor, last) >= 0) return now;
  return Math.min(now, streamIdMs(cursor));
}

/**
 * Finishes rows whose own events were lost: a row left unfinished ~30 s after its last event (or its eta) is
 * checked against the live task; when that is final the row is finished from it (a `reconciled` step), else
 * it is looked at again later, less and less often. This covers a worker killed with SIGKILL between
 * finishing a task in Redis and sending its buffered events.
 */
@Injectable()
export class HistoryReconciler {
  constructor(
    @Inject(HISTORY_STORE) private readonly store: HistoryStore,
    private readonly reader: TaskStatusReader,
    @Inject(TASKS_CONFIG) private readonly config: TasksConfig,
    @Inject(PRODUCER_REDIS) private readonly redis: Redis,
  ) {}

  /** One round; returns how many rows it finished. */
  async round(now = Date.now()): Promise<number> {
    const [cursor, last] = await Promise.all([
      this.store.cursor(),
      lastEntryId(this.redis, this.config.prefix),
    ]);
    const due = await this.store.dueForCheck(quietUpTo(now, cursor, last), ROUND);
    if (due.length === 0) return 0;
    const live = new Map<string, TaskStatus | null>();
    await Promise.all(
      due.map(async (row) => {
        // unreadable (Redis away): left for a later round
        const status = await this.reader.status(row.id).catch(() => undefined);
        if (status !== undefined) live.set(row.id, status);
      }),
    );
    const maxBytes = this.config.events.resultMaxBytes;
    let finished = 0;
    await this.store.write(
      due.map((row) => row.id),
      (stored) => {
        const events: ReconciledEvent[] = [];
        const postponed: HistoryRow[] = [];
        for (const row of stored.values()) {
          if (isFinal(row.state) || !live.has(row.id)) continue;
          const status = live.get(row.id);
          if (status && READY_STATES.has(status.state)) {
            events.push(reconciledEvent(status, now, maxBytes));
          } else {
            const quiet = Math.max(RECONCILE_AFTER_MS, now - row.lastEventAt);
            postponed.push({ ...row, checkAfter: now + Math.min(MAX_BACKOFF_MS, quiet) });
          }
        }
        const plan = planBatch(stored, events, { maxBytes });
        finished = events.length;
        return { rows: [...plan.rows, ...postponed], stats: plan.stats };
      },
    );
    return finished;
  }
}
