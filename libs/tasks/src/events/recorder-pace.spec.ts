import { describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { RecorderPace, threadCpuMs, type PaceProbes, type PaceSettings } from './recorder-pace.js';

const SETTINGS: PaceSettings = {
  busyAbove: 0.6,
  saturatedAbove: 0.7,
  minDuty: 0.1,
  rampFromLagMs: 0,
  fullSpeedLagMs: 60_000,
  sampleMs: 250,
  maxPauseMs: 1_000,
  caughtUpPauseMs: 300,
};

/** A 2-core machine whose load the test sets: each `advance` adds `ms` of wall time. */
function machine() {
  const state = { now: 0, busy: 0, total: 0, own: 0 };
  const probes: PaceProbes = {
    machine: () => ({ busy: state.busy, total: state.total }),
    ownCpuMs: () => state.own,
    now: () => state.now,
  };
  return {
    probes,
    /** `ms` pass; the others use `othersCores` of the 2 cores, this thread `ownCores`. */
    advance(ms: number, othersCores: number, ownCores = 0) {
      state.now += ms;
      state.total += 2 * ms;
      state.busy += (othersCores + ownCores) * ms;
      state.own += ownCores * ms;
    },
  };
}

describe('RecorderPace', () => {
  it('does not pause while the rest of the machine leaves room', () => {
    const m = machine();
    const pace = new RecorderPace(SETTINGS, m.probes);
    m.advance(300, 0.4);
    expect(pace.othersLoad()).toBeCloseTo(0.2);
    expect(pace.pauseAfter(20, 0)).toBe(0);
  });

  it('does not count its own work as the machine being busy', () => {
    const m = machine();
    const pace = new RecorderPace(SETTINGS, m.probes);
    m.advance(300, 0.3, 1);
    expect(pace.othersLoad()).toBeCloseTo(0.15);
    expect(pace.pauseAfter(20, 0)).toBe(0);
  });

  it('works a tenth of the time while tasks keep the machine busy and it is not behind', () => {
    const m = machine();
    const pace = new RecorderPace(SETTINGS, m.probes);
    m.advance(300, 1.6);
    expect(pace.duty(0)).toBeCloseTo(0.1);
    expect(pace.pauseAfter(20, 0)).toBeCloseTo(180);
  });

  it('works less the busier the machine, between busy and saturated', () => {
    const m = machine();
    const pace = new RecorderPace(SETTINGS, m.probes);
    m.advance(300, 1.3);
    expect(pace.othersLoad()).toBeCloseTo(0.65);
    expect(pace.duty(0)).toBeCloseTo(0.55);
    expect(pace.duty(30_000)).toBeCloseTo(0.6625);
  });

  it('works more as its lag grows (with its square), and without pause from the full-speed lag on', () => {
    const m = machine();
    const pace = new RecorderPace(SETTINGS, m.probes);
    m.advance(300, 1.8);
    expect(pace.duty(6_000)).toBeCloseTo(0.109);
    expect(pace.duty(30_000)).toBeCloseTo(0.325);
    expect(pace.duty(54_000)).toBeCloseTo(0.829);
    expect(pace.pauseAfter(20, 60_000)).toBe(0);
    expect(pace.pauseAfter(20, 120_000)).toBe(0);
  });

  it('does not work more for a lag below the ramp, and reaches full speed at the same bound', () => {
    const m = machine();
    const pace = new RecorderPace({ ...SETTINGS, rampFromLagMs: 30_000 }, m.probes);
    m.advance(300, 1.8);
    expect(pace.duty(0)).toBeCloseTo(0.1);
    expect(pace.duty(29_000)).toBeCloseTo(0.1);
    expect(pace.duty(45_000)).toBeCloseTo(0.325);
    expect(pace.pauseAfter(20, 60_000)).toBe(0);
  });

  it('caps one pause', () => {
    const m = machine();
    const pace = new RecorderPace(SETTINGS, m.probes);
    m.advance(300, 2);
    expect(pace.pauseAfter(500, 0)).toBe(1_000);
  });

  it('pauses less after a round that read the stream to its end: a task just submitted is seen soon', () => {
    const m = machine();
    const pace = new RecorderPace(SETTINGS, m.probes);
    m.advance(300, 2);
    expect(pace.pauseAfter(500, 0, false)).toBe(300);
    expect(pace.pauseAfter(20, 0, false)).toBeCloseTo(180);
  });

  it('keeps the last sample until the next one is due, then follows the load', () => {
    const m = machine();
    const pace = new RecorderPace(SETTINGS, m.probes);
    m.advance(300, 1.6);
    expect(pace.othersLoad()).toBeCloseTo(0.8);
    m.advance(100, 0);
    expect(pace.othersLoad()).toBeCloseTo(0.8);
    m.advance(200, 0);
    expect(pace.othersLoad()).toBeCloseTo(0);
    expect(pace.pauseAfter(20, 0)).toBe(0);
  });
});

describe('threadCpuMs', () => {
  it("counts the calling thread's CPU time, not the time it waits", async () => {
    const before = threadCpuMs() ?? NaN;
    const spinUntil = Date.now() + 300;
    while (Date.now() < spinUntil);
    const spun = (threadCpuMs() ?? NaN) - before;
    await sleep(150);
    const waited = (threadCpuMs() ?? NaN) - before - spun;
    // 10 ms ticks, and a busy machine may take some of the spin's wall time
    expect(spun).toBeGreaterThanOrEqual(50);
    expect(waited).toBeLessThan(50);
  });
});
