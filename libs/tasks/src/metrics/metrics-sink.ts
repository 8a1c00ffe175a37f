import { Injectable } from '@nestjs/common';
import type { StreamedEvent } from '../events/task-event.js';
import { HashCountingSink } from './hash-sink.js';
import { countEvents, type TaskLabels } from './task-counters.js';

/**
 * Per-task counters and histograms of every worker, added up in one Redis hash (`<prefix>:_metrics`): one
 * script per batch of events increments the fields and moves the cursor, so that any API replica's
 * `GET /metrics` serves the totals, and a batch counts once whichever recorder applies it.
 */
@Injectable()
export class MetricsSink extends HashCountingSink {
  readonly name = 'metrics';

  protected hash(): string {
    return this.keys.metrics;
  }

  protected opsOf(events: readonly StreamedEvent[], labelsOf: (id: string) => TaskLabels) {
    return countEvents(events, labelsOf);
  }
}
