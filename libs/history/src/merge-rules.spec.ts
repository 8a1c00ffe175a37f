import { describe, expect, it } from '@jest/globals';
import type { TaskEvent } from '@app/tasks';
import { planBatch } from './batch-plan.js';
import type { HistoryRow } from './history-row.js';
import { mergeEvent, RECONCILE_AFTER_MS, type HistoryEvent } from './merge-rules.js';

const options = { maxBytes: 1024 };
const T0 = Date.UTC(2026, 0, 1, 10, 0, 0);
const id = 'a0000000-0000-4000-8000-000000000001';

const received: TaskEvent = {
  t: 'received',
  id,
  at: T0,
  name: 'tasks.process_data',
  queue: 'default',
  kwargs: { data: { password: 'hunter2', user: 'ann', api_key: 'k-1' } },
  parent: 'wf-1',
  rid: 'req-1',
};
const started = (attempt: number, at: number, worker = 'w1'): TaskEvent => ({
  t: 'started',
  id,
  at,
  worker,
  attempt,
  ...(attempt === 1 ? { ready: T0 } : {}),
});
const retry = (attempt: number, at: number): TaskEvent => ({
  t: 'retry',
  id,
  at,
  worker: 'w1',
  attempt,
  error: 'Error: boom',
  delay: 200,
});
const succeeded = (at: number, attempt = 1): TaskEvent => ({
  t: 'succeeded',
  id,
  at,
  worker: 'w1',
  attempt,
  runtime: 40,
  result: '{"processed":true,"count":3}',
});

/** Applies events one by one, as separate batches would. */
function applyAll(events: HistoryEvent[], start?: HistoryRow): HistoryRow | undefined {
  let row = start;
  for (const event of events) row = mergeEvent(row, event, options).row;
  return row;
}

describe('history merge rules', () => {
  it('builds a row from received → started → succeeded, secrets redacted', () => {
    const row = applyAll([received, started(1, T0 + 15), succeeded(T0 + 55)]);
    expect(row).toMatchObject({
      id,
      name: 'tasks.process_data',
      queue: 'default',
      state: 'SUCCESS',
      parentId: 'wf-1',
      requestId: 'req-1',
      receivedAt: T0,
      startedAt: T0 + 15,
      dateDone: T0 + 55,
      waitMs: 15,
      runtimeMs: 40,
      retries: 0,
      worker: 'w1',
      result: '{"processed":true,"count":3}',
      resultTruncated: false,
    });
    expect(JSON.parse(row!.kwargs)).toEqual({ data: { password: '***', user: 'ann', api_key: '***' } });
    expect(row!.transitions.map((t) => t.event)).toEqual(['received', 'started', 'succeeded']);
  });

  it('is idempotent: an event applied twice changes nothing the second time', () => {
    const events = [
      received,
      started(1, T0 + 15),
      retry(1, T0 + 20),
      started(2, T0 + 220),
      succeeded(T0 + 260, 2),
    ];
    let row: HistoryRow | undefined;
    for (const event of events) {
      row = mergeEvent(row, event, options).row;
      const again = mergeEvent(row, event, options);
      expect(again.changed).toBe(false);
      expect(again.effects).toEqual([]);
      expect(again.row).toBe(row);
    }
    expect(row).toMatchObject({ state: 'SUCCESS', retries: 1 });
  });

  it('never lets a late started or retry overwrite a final state', () => {
    const row = applyAll([received, succeeded(T0 + 50), started(1, T0 + 10), retry(1, T0 + 30)]);
    expect(row).toMatchObject({ state: 'SUCCESS', dateDone: T0 + 50, startedAt: T0 + 10 });
  });

  it('takes a non-final state from the latest step, whatever order the events came in', () => {
    // worker 1's retry reaches the stream after worker 2's start of the next attempt
    const row = applyAll([received, started(1, T0 + 10), started(2, T0 + 300, 'w2'), retry(1, T0 + 20)]);
    expect(row).toMatchObject({ state: 'STARTED', retries: 1, startedAt: T0 + 300, worker: 'w2' });
    expect(row!.checkAfter).toBe(T0 + 300 + RECONCILE_AFTER_MS);
  });

  it('reads SCHEDULED until a task with an eta starts', () => {
    const row = applyAll([{ ...received, eta: T0 + 10_000 }]);
    expect(row).toMatchObject({ state: 'SCHEDULED', eta: T0 + 10_000 });
    expect(row!.checkAfter).toBe(T0 + 10_000 + RECONCILE_AFTER_MS);
  });

  it("keeps the first outcome, but a worker's outcome replaces the API's revoke", () => {
    const apiRevoke: TaskEvent = { t: 'revoked', id, at: T0 + 5, reason: 'REVOKED: by request' };
    const plan = planBatch(new Map(), [received, started(1, T0 + 2), apiRevoke, succeeded(T0 + 50)], options);
    expect(plan.rows[0]).toMatchObject({ state: 'SUCCESS', dateDone: T0 + 50, error: null });
    const minute = plan.stats.find((s) => s.name === 'tasks.process_data');
    expect(minute).toMatchObject({ succeeded: 1, revoked: 0 });

    const failed: TaskEvent = { t: 'failed', id, at: T0 + 60, worker: 'w1', attempt: 1, error: 'Error: x' };
    expect(applyAll([received, succeeded(T0 + 50), failed])).toMatchObject({ state: 'SUCCESS' });
  });

  it('finishes a row from the reconciler without overriding anything, and lets the worker correct it', () => {
    const reconciled: HistoryEvent = {
      t: 'reconciled',
      id,
      at: T0 + 70,
      state: 'SUCCESS',
      retries: 0,
      result: '{"processed":true,"count":3}',
    };
    const row = applyAll([received, started(1, T0 + 10), reconciled]);
    expect(row).toMatchObject({ state: 'SUCCESS', dateDone: T0 + 70, runtimeMs: 60 });
    expect(applyAll([reconciled], applyAll([received, succeeded(T0 + 50)]))).toMatchObject({
      dateDone: T0 + 50,
    });
    expect(applyAll([succeeded(T0 + 50)], row)).toMatchObject({ dateDone: T0 + 50, runtimeMs: 40 });
  });

  it('creates a row from a later event when received was never read, and fills it when it comes', () => {
    const row = applyAll([started(1, T0 + 15)]);
    expect(row).toMatchObject({ state: 'STARTED', name: '', kwargs: 'null' });
    expect(applyAll([received], row)).toMatchObject({
      state: 'STARTED',
      name: 'tasks.process_data',
      receivedAt: T0,
    });
  });

  it('counts stats once per change: outcomes, retries, runtime and the first wait', () => {
    const events = [
      received,
      started(1, T0 + 15),
      retry(1, T0 + 20),
      started(2, T0 + 220),
      succeeded(T0 + 260, 2),
    ];
    const once = planBatch(new Map(), events, options);
    const twice = planBatch(new Map(), [...events, ...events], options);
    expect(twice.stats).toEqual(once.stats);
    expect(once.stats).toHaveLength(1);
    expect(once.stats[0]).toMatchObject({ name: 'tasks.process_data', succeeded: 1, retried: 1, failed: 0 });
    expect(Object.values(once.stats[0].runtime)).toEqual([1]);
    expect(Object.values(once.stats[0].wait)).toEqual([1]);
  });

  it('caps arguments and marks them', () => {
    const big: TaskEvent = { ...received, kwargs: { data: { text: 'x'.repeat(5000) } } };
    const row = applyAll([big]);
    expect(row!.kwargsTruncated).toBe(true);
    expect(Buffer.byteLength(row!.kwargs)).toBeLessThanOrEqual(1024);
  });
});
