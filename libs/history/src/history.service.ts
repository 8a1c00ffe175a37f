import { Inject, Injectable } from '@nestjs/common';
import { TASKS_CONFIG, type TaskStatus, type TasksConfig } from '@app/tasks';
import { MINUTE_MS } from './batch-plan.js';
import type { HistoryRow } from './history-row.js';
import { encodePageCursor } from './page-cursor.js';
import { summarize, type StatsSummary } from './stats-summary.js';
import type { HistoryQuery, HistoryStore } from './store/history-store.js';
import { taskStatusOf } from './task-status-of.js';
import { HISTORY_STORE } from './tokens.js';

/** `GET /tasks` and `/stats` with HISTORY_ENABLED=false: answered 503, saying so. */
export class HistoryDisabledError extends Error {
  constructor() {
    super('Task history is off (HISTORY_ENABLED=false): nothing is recorded, so there is nothing to list');
    this.name = 'HistoryDisabledError';
  }
}

export interface HistoryPage {
  rows: HistoryRow[];
  /** The cursor of the next page; null on the last. */
  nextCursor: string | null;
}

/** What the API reads from the history. */
@Injectable()
export class HistoryService {
  constructor(
    @Inject(HISTORY_STORE) private readonly store: HistoryStore,
    @Inject(TASKS_CONFIG) private readonly config: TasksConfig,
  ) {}

  get enabled(): boolean {
    return this.config.events.history;
  }

  private assertEnabled(): void {
    if (!this.enabled) throw new HistoryDisabledError();
  }

  /** One page, newest first. */
  async page(query: HistoryQuery): Promise<HistoryPage> {
    this.assertEnabled();
    const rows = await this.store.list({ ...query, limit: query.limit + 1 });
    const more = rows.length > query.limit;
    const page = more ? rows.slice(0, query.limit) : rows;
    const last = page.at(-1);
    return { rows: page, nextCursor: more && last?.seq !== undefined ? encodePageCursor(last.seq) : null };
  }

  /** Stats over [since, until), by the minute. */
  async stats(since: number, until: number): Promise<StatsSummary> {
    this.assertEnabled();
    const rows = await this.store.stats(Math.floor(since / MINUTE_MS), Math.ceil(until / MINUTE_MS));
    return summarize(rows, since, until);
  }

  /** A task's status answer from its history row; null when history is off or never saw it (or pruned it). */
  async taskStatus(id: string): Promise<TaskStatus | null> {
    if (!this.enabled) return null;
    const row = await this.store.get(id);
    return row ? taskStatusOf(row) : null;
  }
}
