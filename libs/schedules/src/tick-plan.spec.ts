import { describe, expect, it } from '@jest/globals';
import { nextRun } from './next-run.js';
import { ON_TIME_MS, planTicks, type TickPolicy } from './tick-plan.js';

const T0 = Date.parse('2026-06-01T00:00:00Z');
const S = 1000;
const every = (seconds: number, extra: Partial<TickPolicy> = {}): TickPolicy => ({
  timing: { every: seconds },
  overlap: 'allow',
  catchup: 0,
  ...extra,
});

describe(planTicks.name, () => {
  it('queues each tick that is due, in order, and moves the tick on', () => {
    const plan = planTicks(every(1), { tick: T0 }, T0 + 3 * S + 200, false);
    expect(plan.queue).toEqual([T0 + S, T0 + 2 * S, T0 + 3 * S]);
    expect(plan.skipped).toBe(0);
    expect(plan.state).toEqual({ tick: T0 + 3 * S });
  });

  it('queues nothing before the next tick is due', () => {
    const plan = planTicks(every(60), { tick: T0 }, T0 + 59 * S, false);
    expect(plan.queue).toEqual([]);
    expect(nextRun({ every: 60 }, plan.state.tick)).toBe(T0 + 60 * S);
  });

  it('skips ticks missed while no beat ran (catchup 0)', () => {
    const now = T0 + 3600 * S + ON_TIME_MS + 500;
    const plan = planTicks(every(60), { tick: T0 }, now, false);
    expect(plan.queue).toEqual([]);
    // handled up to now less the on-time window: the next tick is the first after now
    expect(nextRun({ every: 60 }, plan.state.tick)).toBe(T0 + 3660 * S);
  });

  it('runs the latest missed tick once when it is within the catch-up window', () => {
    const now = T0 + 3600 * S + 120 * S;
    const plan = planTicks(every(600, { catchup: 3600 }), { tick: T0 }, now, false);
    expect(plan.queue).toEqual([T0 + 3600 * S]);
    expect(plan.skipped).toBe(5);
    const outside = planTicks(every(600, { catchup: 60 }), { tick: T0 }, now, false);
    expect(outside.queue).toEqual([]);
  });

  it('overlap skip: no tick while the previous run is unfinished', () => {
    const policy = every(1, { overlap: 'skip' });
    expect(planTicks(policy, { tick: T0 }, T0 + S, true)).toEqual({
      queue: [],
      skipped: 1,
      state: { tick: T0 + S },
    });
    expect(planTicks(policy, { tick: T0 }, T0 + S, false).queue).toEqual([T0 + S]);
  });

  it('overlap buffer_one: keeps one tick until the previous run ends, drops the rest', () => {
    const policy = every(1, { overlap: 'buffer_one' });
    const first = planTicks(policy, { tick: T0 }, T0 + 2 * S, true);
    expect(first).toEqual({ queue: [], skipped: 1, state: { tick: T0 + 2 * S, buffered: T0 + S } });
    const still = planTicks(policy, first.state, T0 + 3 * S, true);
    expect(still).toEqual({ queue: [], skipped: 1, state: { tick: T0 + 3 * S, buffered: T0 + S } });
    const ended = planTicks(policy, still.state, T0 + 3 * S + 100, false);
    expect(ended).toEqual({ queue: [T0 + S], skipped: 0, state: { tick: T0 + 3 * S } });
  });

  it('overlap allow: queues whatever runs', () => {
    expect(planTicks(every(1), { tick: T0 }, T0 + S, true).queue).toEqual([T0 + S]);
  });
});
