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

describe('daylight saving in America/New_York, through the passes of a beat (an injected clock)', () => {
  const NY = 'America/New_York';
  const iso = (ms: number): string => new Date(ms).toISOString();

  /**
   * A beat's passes every minute of the clock from `from` to `to`, as `BeatService` makes them (a schedule is
   * handled once its next run is due): the nominal times it queues.
   */
  function queued(cron: string, from: string, to: string): string[] {
    const policy: TickPolicy = { timing: { cron, timezone: NY }, overlap: 'allow', catchup: 0 };
    let state = { tick: Date.parse(from) };
    const out: number[] = [];
    for (let now = Date.parse(from); now <= Date.parse(to); now += 60 * S) {
      if (nextRun(policy.timing, state.tick) > now) continue;
      const plan = planTicks(policy, state, now, false);
      out.push(...plan.queue);
      state = plan.state;
    }
    return out.map(iso);
  }

  it('spring forward (2026-03-08): a time in the gap runs once, shifted by the gap; no hour runs twice', () => {
    expect(queued('30 2 * * *', '2026-03-08T05:00:00Z', '2026-03-08T12:00:00Z')).toEqual([
      '2026-03-08T07:30:00.000Z', // 02:30 does not exist: 03:30 EDT
    ]);
    expect(queued('0 * * * *', '2026-03-08T05:30:00Z', '2026-03-08T09:30:00Z')).toEqual([
      '2026-03-08T06:00:00.000Z', // 01:00 EST
      '2026-03-08T07:00:00.000Z', // 03:00 EDT (02:00 falls on it)
      '2026-03-08T08:00:00.000Z',
      '2026-03-08T09:00:00.000Z',
    ]);
  });

  it('fall back (2026-11-01): a time that happens twice runs once, at its first occurrence', () => {
    expect(queued('30 1 * * *', '2026-11-01T04:00:00Z', '2026-11-01T12:00:00Z')).toEqual([
      '2026-11-01T05:30:00.000Z', // 01:30 EDT; not 01:30 EST an hour later
    ]);
    expect(queued('0 * * * *', '2026-11-01T04:30:00Z', '2026-11-01T09:30:00Z')).toEqual([
      '2026-11-01T05:00:00.000Z', // 01:00 EDT
      '2026-11-01T07:00:00.000Z', // 02:00 EST; the second 01:00 (06:00 UTC) does not run
      '2026-11-01T08:00:00.000Z',
      '2026-11-01T09:00:00.000Z',
    ]);
  });
});
