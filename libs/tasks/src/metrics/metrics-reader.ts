import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { ALERT_KINDS, type AlertKind, type Incident } from '../alerts/alert.js';
import type { TasksConfig } from '../config/tasks.config.js';
import { ownKeys } from '../core/keys.js';
import { compareStreamIds } from '../events/event-stream.js';
import { PRODUCER_REDIS, TASKS_CONFIG } from '../tokens.js';
import { QueueObserver, type SystemObservation } from './queue-observer.js';
import { parseTaskMetrics, type TaskMetrics } from './task-counters.js';

/** Everything `GET /metrics` renders, read in one go. */
export interface MetricsSnapshot {
  /** Per-task counters and histograms; undefined with METRICS_ENABLED=false. */
  tasks?: TaskMetrics;
  system: SystemObservation;
  events: {
    /** Entries on the events stream (what the slowest sink has not let go of yet). */
    backlog: number;
    /** Per sink: the time span of the events it has not applied yet, in seconds. */
    sinks: { name: string; lagSeconds: number }[];
  };
  alerts: { fired: Record<AlertKind, number>; open: Incident[] };
}

const msOf = (id: string): number => Number(id.split('-')[0]);

/**
 * How far behind a sink is, as the time between the first event it has not applied and the newest one:
 * 0 when it has applied everything.
 */
export function sinkLagSeconds(cursor: string, first: string | undefined, last: string | undefined): number {
  if (last === undefined || compareStreamIds(cursor, last) >= 0) return 0;
  const from = first !== undefined ? Math.max(msOf(cursor), msOf(first)) : msOf(cursor);
  return Math.max(0, msOf(last) - from) / 1000;
}

/**
 * Reads what `/metrics` serves: one pipeline (the metrics hash, alert state, the stream's length and ends,
 * the sinks' cursors) beside `QueueObserver`'s two. Nothing here is per task.
 */
@Injectable()
export class MetricsReader {
  private readonly keys: ReturnType<typeof ownKeys>;

  constructor(
    @Inject(TASKS_CONFIG) private readonly config: TasksConfig,
    @Inject(PRODUCER_REDIS) private readonly redis: Redis,
    private readonly observer: QueueObserver,
  ) {
    this.keys = ownKeys(config.prefix);
  }

  async read(): Promise<MetricsSnapshot> {
    const pipeline = this.redis
      .pipeline()
      .hgetall(this.keys.metrics)
      .hgetall(this.keys.alertIncidents)
      .hgetall(this.keys.alertCounts)
      .xlen(this.keys.events)
      .xrange(this.keys.events, '-', '+', 'COUNT', 1)
      .xrevrange(this.keys.events, '+', '-', 'COUNT', 1)
      .hgetall(this.keys.eventCursors);
    const [answers, system] = await Promise.all([pipeline.exec(), this.observer.observe()]);
    const [metrics, incidents, counts, backlog, first, last, cursors] = (answers ?? []).map(
      ([error, value]) => {
        if (error) throw error;
        return value;
      },
    ) as [
      Record<string, string>,
      Record<string, string>,
      Record<string, string>,
      number,
      [string, string[]][],
      [string, string[]][],
      Record<string, string>,
    ];
    const firstId = first[0]?.[0];
    const lastId = last[0]?.[0];
    return {
      tasks: this.config.events.metrics ? parseTaskMetrics(metrics) : undefined,
      system,
      events: {
        backlog,
        sinks: Object.entries(cursors)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([name, cursor]) => ({ name, lagSeconds: sinkLagSeconds(cursor, firstId, lastId) })),
      },
      alerts: {
        fired: Object.fromEntries(ALERT_KINDS.map((kind) => [kind, Number(counts[kind] ?? 0)])) as Record<
          AlertKind,
          number
        >,
        open: Object.values(incidents).map((json) => JSON.parse(json) as Incident),
      },
    };
  }
}
