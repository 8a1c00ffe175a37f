import type { StreamedEvent } from '../events/task-event.js';
import type { HashOp } from '../metrics/hash-ops.js';
import type { TaskLabels } from '../metrics/task-counters.js';
import type { TaskFailures } from './alert-rules.js';

/** Longest error text kept for an alert's message. */
const ERROR_MAX = 500;

const field = (kind: string, name: string): string => JSON.stringify([kind, name]);

/**
 * What a batch of events changes in the per-task failure record the `task_failed` alert reads: failures for
 * good counted, the last failure's time and error, the last success's time.
 */
export function failureOps(events: readonly StreamedEvent[], labelsOf: (id: string) => TaskLabels): HashOp[] {
  const ops: HashOp[] = [];
  for (const event of events) {
    if (event.t === 'failed') {
      const { name } = labelsOf(event.id);
      ops.push(
        { op: 'incr', field: field('failed', name), value: 1 },
        { op: 'max', field: field('failed_at', name), value: event.at },
        { op: 'set', field: field('error', name), value: event.error.slice(0, ERROR_MAX) },
      );
    } else if (event.t === 'succeeded') {
      ops.push({ op: 'max', field: field('succeeded_at', labelsOf(event.id).name), value: event.at });
    }
  }
  return ops;
}

/** HGETALL of the failure record, per task name (names that never failed are left out). */
export function parseTaskFailures(hash: Record<string, string>): TaskFailures[] {
  const byName = new Map<string, TaskFailures>();
  for (const [key, value] of Object.entries(hash)) {
    let kind: unknown;
    let name: unknown;
    try {
      [kind, name] = JSON.parse(key) as unknown[];
    } catch {
      continue;
    }
    if (typeof name !== 'string') continue;
    let entry = byName.get(name);
    if (!entry) {
      entry = { name, failed: 0, lastFailedAt: 0, lastSucceededAt: 0 };
      byName.set(name, entry);
    }
    if (kind === 'failed') entry.failed = Number(value);
    else if (kind === 'failed_at') entry.lastFailedAt = Number(value);
    else if (kind === 'succeeded_at') entry.lastSucceededAt = Number(value);
    else if (kind === 'error') entry.lastError = value;
  }
  return [...byName.values()].filter((entry) => entry.failed > 0);
}
