import type { StreamedEvent } from '../events/task-event.js';
import { DURATION_BUCKETS, bucketIndex, type StoredHistogram } from './buckets.js';
import type { HashOp } from './hash-ops.js';

/** The labels every per-task metric carries. */
export interface TaskLabels {
  name: string;
  queue: string;
}

/** Labels of a task whose `received` event and job are both gone (rare: a task older than its result). */
export const UNKNOWN_TASK: TaskLabels = { name: 'unknown', queue: 'unknown' };

export const TASK_COUNTERS = ['received', 'started', 'succeeded', 'failed', 'retried', 'revoked'] as const;
export type TaskCounter = (typeof TASK_COUNTERS)[number];

export const TASK_HISTOGRAMS = ['runtime', 'queue_wait'] as const;
export type TaskHistogram = (typeof TASK_HISTOGRAMS)[number];

const COUNTER_OF: Record<StreamedEvent['t'], TaskCounter> = {
  received: 'received',
  started: 'started',
  succeeded: 'succeeded',
  failed: 'failed',
  retry: 'retried',
  revoked: 'revoked',
};

/**
 * Fields of the metrics hash, JSON arrays (task names hold dots and more): `["c", counter, name, queue]`,
 * `["b", histogram, name, queue, bucket]`, `["s", histogram, name, queue]` (sum of seconds) and
 * `["n", histogram, name, queue]` (count).
 */
const field = (...parts: (string | number)[]): string => JSON.stringify(parts);

/**
 * What one batch of events adds to the per-task counters and histograms. `labelsOf` names the task of an
 * event that does not carry its name (every event but `received`). Runtime is observed when a task ends
 * (succeeded, or failed for good after running); queue wait when its first attempt starts.
 */
export function countEvents(
  events: readonly StreamedEvent[],
  labelsOf: (id: string) => TaskLabels,
): HashOp[] {
  const ops: HashOp[] = [];
  const observe = (histogram: TaskHistogram, labels: TaskLabels, seconds: number): void => {
    const { name, queue } = labels;
    ops.push(
      { op: 'incr', field: field('b', histogram, name, queue, bucketIndex(seconds)), value: 1 },
      { op: 'float', field: field('s', histogram, name, queue), value: seconds },
      { op: 'incr', field: field('n', histogram, name, queue), value: 1 },
    );
  };
  for (const event of events) {
    const labels = event.t === 'received' ? { name: event.name, queue: event.queue } : labelsOf(event.id);
    ops.push({ op: 'incr', field: field('c', COUNTER_OF[event.t], labels.name, labels.queue), value: 1 });
    if (event.t === 'started' && event.ready !== undefined) {
      observe('queue_wait', labels, Math.max(0, event.at - event.ready) / 1000);
    } else if ((event.t === 'succeeded' || event.t === 'failed') && event.runtime !== undefined) {
      observe('runtime', labels, event.runtime / 1000);
    }
  }
  return ops;
}

/** The metrics hash read back: counters and histograms by label set. */
export interface TaskMetrics {
  counters: Map<TaskCounter, Map<string, { labels: TaskLabels; value: number }>>;
  histograms: Map<TaskHistogram, Map<string, { labels: TaskLabels; histogram: StoredHistogram }>>;
}

/** Parses HGETALL of the metrics hash; fields it does not know (a newer version's) are skipped. */
export function parseTaskMetrics(hash: Record<string, string>): TaskMetrics {
  const metrics: TaskMetrics = { counters: new Map(), histograms: new Map() };
  for (const [key, raw] of Object.entries(hash)) {
    let parts: unknown;
    try {
      parts = JSON.parse(key);
    } catch {
      continue;
    }
    if (!Array.isArray(parts) || parts.length < 4) continue;
    const [kind, metric, name, queue, bucket] = parts as [string, string, string, string, number?];
    const labels = { name: String(name), queue: String(queue) };
    const id = JSON.stringify([labels.name, labels.queue]);
    const value = Number(raw);
    if (kind === 'c' && (TASK_COUNTERS as readonly string[]).includes(metric)) {
      const counter = metric as TaskCounter;
      if (!metrics.counters.has(counter)) metrics.counters.set(counter, new Map());
      metrics.counters.get(counter)?.set(id, { labels, value });
      continue;
    }
    if (!(TASK_HISTOGRAMS as readonly string[]).includes(metric)) continue;
    const histogram = metric as TaskHistogram;
    if (!metrics.histograms.has(histogram)) metrics.histograms.set(histogram, new Map());
    const byLabels = metrics.histograms.get(histogram) as Map<
      string,
      { labels: TaskLabels; histogram: StoredHistogram }
    >;
    let entry = byLabels.get(id);
    if (!entry) {
      entry = { labels, histogram: { buckets: new Map(), sum: 0, count: 0 } };
      byLabels.set(id, entry);
    }
    if (kind === 'b' && typeof bucket === 'number' && bucket <= DURATION_BUCKETS.length) {
      entry.histogram.buckets.set(bucket, value);
    } else if (kind === 's') entry.histogram.sum = value;
    else if (kind === 'n') entry.histogram.count = value;
  }
  return metrics;
}
