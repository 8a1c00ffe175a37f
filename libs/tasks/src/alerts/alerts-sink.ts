import { Injectable } from '@nestjs/common';
import type { StreamedEvent } from '../events/task-event.js';
import { HashCountingSink } from '../metrics/hash-sink.js';
import type { TaskLabels } from '../metrics/task-counters.js';
import { failureOps } from './task-failures.js';

/**
 * Failures for good and successes per task name, for the `task_failed` alert (`<prefix>:_alert_tasks`),
 * written with the sink's cursor in one script per batch. Apart from the metrics sink so that alerts work
 * with METRICS_ENABLED=false.
 */
@Injectable()
export class AlertsSink extends HashCountingSink {
  readonly name = 'alerts';

  protected hash(): string {
    return this.keys.alertTasks;
  }

  protected opsOf(events: readonly StreamedEvent[], labelsOf: (id: string) => TaskLabels) {
    return failureOps(events, labelsOf);
  }
}
