import { describe, expect, it } from '@jest/globals';
import type { StreamedEvent } from '../events/task-event.js';
import { bucketIndex } from './buckets.js';
import { mergeOps } from './hash-ops.js';
import { UNKNOWN_TASK, countEvents, parseTaskMetrics, type TaskLabels } from './task-counters.js';

const labels: Record<string, TaskLabels> = {
  a: { name: 'tasks.add', queue: 'default' },
  m: { name: 'tasks.email.send_email', queue: 'email' },
};
const labelsOf = (id: string): TaskLabels => labels[id] ?? UNKNOWN_TASK;

/** What the Lua script would leave in the hash after these ops. */
function apply(hash: Record<string, string>, events: StreamedEvent[]): Record<string, string> {
  for (const op of mergeOps(countEvents(events, labelsOf))) {
    const current = Number(hash[op.field] ?? 0);
    hash[op.field] = String(current + Number(op.value));
  }
  return hash;
}

describe('per-task counters from task events', () => {
  const batch: StreamedEvent[] = [
    { sid: '1-0', i: 0, t: 'received', id: 'a', at: 1000, name: 'tasks.add', queue: 'default', kwargs: {} },
    { sid: '2-0', i: 0, t: 'started', id: 'a', at: 1250, worker: 'w1', attempt: 1, ready: 1000 },
    { sid: '3-0', i: 0, t: 'retry', id: 'a', at: 1300, worker: 'w1', attempt: 1, error: 'E', delay: 100 },
    { sid: '4-0', i: 0, t: 'started', id: 'a', at: 1400, worker: 'w2', attempt: 2 },
    {
      sid: '5-0',
      i: 0,
      t: 'succeeded',
      id: 'a',
      at: 1450,
      worker: 'w2',
      attempt: 2,
      runtime: 50,
      result: '3',
    },
    {
      sid: '6-0',
      i: 0,
      t: 'failed',
      id: 'm',
      at: 2000,
      worker: 'w1',
      attempt: 4,
      runtime: 2500,
      error: 'SMTP',
    },
    { sid: '7-0', i: 0, t: 'revoked', id: 'x', at: 2100, reason: 'revoked' },
  ];

  it('counts each event under its task, and observes runtime at the end and wait at the first start', () => {
    const metrics = parseTaskMetrics(apply({}, batch));
    const counter = (name: string, labelSet: TaskLabels): number | undefined =>
      metrics.counters.get(name as never)?.get(JSON.stringify([labelSet.name, labelSet.queue]))?.value;
    expect(counter('received', labels.a)).toBe(1);
    expect(counter('started', labels.a)).toBe(2);
    expect(counter('retried', labels.a)).toBe(1);
    expect(counter('succeeded', labels.a)).toBe(1);
    expect(counter('failed', labels.m)).toBe(1);
    expect(counter('revoked', UNKNOWN_TASK)).toBe(1);

    const runtime = metrics.histograms.get('runtime');
    const add = runtime?.get(JSON.stringify(['tasks.add', 'default']))?.histogram;
    expect(add).toEqual({ buckets: new Map([[bucketIndex(0.05), 1]]), sum: 0.05, count: 1 });
    expect(runtime?.get(JSON.stringify(['tasks.email.send_email', 'email']))?.histogram.sum).toBe(2.5);

    const wait = metrics.histograms.get('queue_wait')?.get(JSON.stringify(['tasks.add', 'default']));
    // only the first attempt carries `ready`: one observation of 250 ms
    expect(wait?.histogram).toEqual({ buckets: new Map([[bucketIndex(0.25), 1]]), sum: 0.25, count: 1 });
  });

  it('adds batches up, whichever process counted them', () => {
    const hash = apply(apply({}, batch.slice(0, 3)), batch.slice(3));
    expect(parseTaskMetrics(hash)).toEqual(parseTaskMetrics(apply({}, batch)));
  });

  it('skips fields it does not know', () => {
    const metrics = parseTaskMetrics({ 'not json': '1', '["c","other","n","q"]': '2', '["x"]': '1' });
    expect(metrics.counters.size).toBe(0);
    expect(metrics.histograms.size).toBe(0);
  });
});
