import { record, type Histogram } from './histogram.js';
import type { HistoryRow } from './history-row.js';
import { mergeEvent, type HistoryEvent, type MergeOptions, type StatsEffect } from './merge-rules.js';

export const MINUTE_MS = 60_000;

/** What one batch adds to one task name's stats in one minute. */
export interface StatsDelta {
  /** Epoch minute (ms / 60,000). */
  minute: number;
  name: string;
  succeeded: number;
  failed: number;
  retried: number;
  revoked: number;
  runtime: Histogram;
  wait: Histogram;
}

export interface BatchPlan {
  /** The rows the batch changed (with their `seq` when they were stored already), each once. */
  rows: HistoryRow[];
  stats: StatsDelta[];
}

export const statsKey = (minute: number, name: string): string => `${minute}|${name}`;

function addEffect(stats: Map<string, StatsDelta>, effect: StatsEffect): void {
  const minute = Math.floor(effect.at / MINUTE_MS);
  const key = statsKey(minute, effect.name);
  let delta = stats.get(key);
  if (!delta) {
    delta = {
      minute,
      name: effect.name,
      succeeded: 0,
      failed: 0,
      retried: 0,
      revoked: 0,
      runtime: [],
      wait: [],
    };
    stats.set(key, delta);
  }
  if (effect.counter) delta[effect.counter] += effect.delta ?? 1;
  if (effect.runtime !== undefined) record(delta.runtime, effect.runtime);
  if (effect.wait !== undefined) record(delta.wait, effect.wait);
}

/**
 * The rows and stats a batch of events (oldest first) makes of the rows stored so far (`stored`, by task id;
 * not modified). Pure: the sink runs it inside the transaction that reads those rows and writes the result.
 */
export function planBatch(
  stored: ReadonlyMap<string, HistoryRow>,
  events: readonly HistoryEvent[],
  options: MergeOptions,
): BatchPlan {
  const rows = new Map<string, HistoryRow>();
  const stats = new Map<string, StatsDelta>();
  for (const event of events) {
    const current = rows.get(event.id) ?? stored.get(event.id);
    const merged = mergeEvent(current, event, options);
    if (!merged.changed) continue;
    rows.set(event.id, merged.row);
    for (const effect of merged.effects) addEffect(stats, effect);
  }
  return { rows: [...rows.values()], stats: [...stats.values()] };
}
