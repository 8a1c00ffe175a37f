import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { TasksConfig } from '../config/tasks.config.js';
import { ownKeys } from '../core/keys.js';
import type { TaskEventSink } from '../events/event-sink.js';
import { STREAM_START } from '../events/event-stream.js';
import type { StreamedEvent } from '../events/task-event.js';
import { hashApplyArgs, mergeOps } from '../metrics/hash-ops.js';
import { HASH_APPLY_SCRIPT } from '../metrics/metrics-sink.js';
import { TaskIdentities } from '../metrics/task-identities.js';
import { PRODUCER_REDIS, TASKS_CONFIG } from '../tokens.js';
import { failureOps } from './task-failures.js';

/**
 * Failures for good and successes per task name, for the `task_failed` alert (`<prefix>:_alert_tasks`),
 * written with the sink's cursor in one script per batch. Apart from the metrics sink so that alerts work
 * with METRICS_ENABLED=false.
 */
@Injectable()
export class AlertsSink implements TaskEventSink {
  readonly name = 'alerts';
  private readonly keys: ReturnType<typeof ownKeys>;

  constructor(
    @Inject(TASKS_CONFIG) config: TasksConfig,
    @Inject(PRODUCER_REDIS) private readonly redis: Redis,
    private readonly identities: TaskIdentities,
  ) {
    this.keys = ownKeys(config.prefix);
  }

  async cursor(): Promise<string> {
    return (await this.redis.hget(this.keys.eventCursors, this.name)) ?? STREAM_START;
  }

  async apply(events: readonly StreamedEvent[], from: string, to: string): Promise<void> {
    const labelsOf = await this.identities.prepare(events);
    const ops = mergeOps(failureOps(events, labelsOf));
    await HASH_APPLY_SCRIPT.run(
      this.redis,
      [this.keys.alertTasks, this.keys.eventCursors],
      [this.name, from, to, ...hashApplyArgs(ops)],
    );
  }
}
