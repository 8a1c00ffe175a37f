import { Inject, Injectable } from '@nestjs/common';
import { TASKS_CONFIG, type StreamedEvent, type TaskEventSink, type TasksConfig } from '@app/tasks';
import { planBatch } from './batch-plan.js';
import type { HistoryStore } from './store/history-store.js';
import { HISTORY_STORE } from './tokens.js';

/**
 * The recorder's `history` sink: each batch of events is merged into the rows of its tasks and the stats of
 * their minutes, in one transaction that also moves the cursor (docs/OBSERVABILITY.md).
 */
@Injectable()
export class HistorySink implements TaskEventSink {
  readonly name = 'history';

  constructor(
    @Inject(HISTORY_STORE) private readonly store: HistoryStore,
    @Inject(TASKS_CONFIG) private readonly config: TasksConfig,
  ) {}

  cursor(): Promise<string> {
    return this.store.cursor();
  }

  async apply(events: readonly StreamedEvent[], from: string, to: string): Promise<void> {
    const ids = [...new Set(events.map((event) => event.id))];
    const maxBytes = this.config.events.resultMaxBytes;
    await this.store.write(ids, (stored) => planBatch(stored, events, { maxBytes }), { from, to });
  }
}
