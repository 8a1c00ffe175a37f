import { MINUTE_MS } from './batch-plan.js';
import { countOf, mergeInto, quantiles, type Histogram } from './histogram.js';
import type { StatsRow } from './store/columns.js';

export interface Percentiles {
  count: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface TaskNameStats {
  name: string;
  succeeded: number;
  failed: number;
  retried: number;
  revoked: number;
  runtime_ms: Percentiles;
  queue_wait_ms: Percentiles;
}

export interface ThroughputPoint {
  /** The minute's start, ISO. */
  minute: string;
  succeeded: number;
  failed: number;
  retried: number;
  revoked: number;
}

export interface StatsSummary {
  since: string;
  until: string;
  tasks: TaskNameStats[];
  throughput: ThroughputPoint[];
}

function percentiles(histogram: Histogram): Percentiles {
  const [p50, p95, p99] = quantiles(histogram, [0.5, 0.95, 0.99]);
  return { count: countOf(histogram), p50: p50 ?? null, p95: p95 ?? null, p99: p99 ?? null };
}

/**
 * `GET /stats` from the per-minute rows of the window [since, until): per task name (by name) its counts and
 * percentiles, and every minute's counts (all names), the quiet minutes included.
 */
export function summarize(rows: readonly StatsRow[], since: number, until: number): StatsSummary {
  const byName = new Map<string, { counts: TaskNameStats; runtime: Histogram; wait: Histogram }>();
  const first = Math.floor(since / MINUTE_MS);
  const last = Math.ceil(until / MINUTE_MS);
  const minutes: ThroughputPoint[] = [];
  for (let m = first; m < last; m++) {
    minutes.push({
      minute: new Date(m * MINUTE_MS).toISOString(),
      succeeded: 0,
      failed: 0,
      retried: 0,
      revoked: 0,
    });
  }
  for (const row of rows) {
    let entry = byName.get(row.name);
    if (!entry) {
      const empty = { count: 0, p50: null, p95: null, p99: null };
      entry = {
        counts: {
          name: row.name,
          succeeded: 0,
          failed: 0,
          retried: 0,
          revoked: 0,
          runtime_ms: empty,
          queue_wait_ms: empty,
        },
        runtime: [],
        wait: [],
      };
      byName.set(row.name, entry);
    }
    const point = minutes[row.minute - first];
    for (const key of ['succeeded', 'failed', 'retried', 'revoked'] as const) {
      entry.counts[key] += row[key];
      if (point) point[key] += row[key];
    }
    mergeInto(entry.runtime, row.runtime);
    mergeInto(entry.wait, row.wait);
  }
  const tasks = [...byName.values()]
    .map(({ counts, runtime, wait }) => ({
      ...counts,
      runtime_ms: percentiles(runtime),
      queue_wait_ms: percentiles(wait),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
  return {
    since: new Date(since).toISOString(),
    until: new Date(until).toISOString(),
    tasks,
    throughput: minutes,
  };
}
